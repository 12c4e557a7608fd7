package dlc.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The .npy codec seen as data set columns, on byte fixtures written by numpy. */
class NpyColumnTest {
    @TempDir Path dir;

    /** A .npy file as numpy.save writes it (version 1.0), built by hand. */
    static byte[] npy(String dict, byte[] data, int major) {
        byte[] h = dict.getBytes(StandardCharsets.ISO_8859_1);
        int lenBytes = major == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length); else b.putInt(h.length);
        return b.put(h).put(data).array();
    }

    static byte[] le(int width, ByteOrder order, long... v) {
        ByteBuffer b = ByteBuffer.allocate(width * v.length).order(order);
        for (long x : v) switch (width) {
            case 1 -> b.put((byte) x);
            case 2 -> b.putShort((short) x);
            case 4 -> b.putInt((int) x);
            default -> b.putLong(x);
        }
        return b.array();
    }

    @Test void readsHandBuiltFilesOfSeveralDtypes() throws DataException {
        ByteBuffer f4 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(-2).putFloat(0.5f).putFloat(3);
        Column c = NpyFiles.decodeColumn(Path.of("a.npy"), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n", f4.array(), 1), "x");
        assertArrayEquals(new int[]{2, 2}, c.shape());
        assertArrayEquals(new float[]{1, -2, 0.5f, 3}, c.floats());

        Column i8 = NpyFiles.decodeColumn(Path.of("b"), npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", le(8, ByteOrder.LITTLE_ENDIAN, 7, -1, 1L << 30), 2), "y");
        assertArrayEquals(new int[]{7, -1, 1 << 30}, i8.ints());
        Column be = NpyFiles.decodeColumn(Path.of("c"), npy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", le(2, ByteOrder.BIG_ENDIAN, 258, -3), 1), "y");
        assertArrayEquals(new int[]{258, -3}, be.ints());
        Column u1 = NpyFiles.decodeColumn(Path.of("d"), npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 1), }", new byte[]{(byte) 255, 0}, 3), "y");
        assertArrayEquals(new int[]{255, 0}, u1.ints());
        assertArrayEquals(new int[]{2, 1, 1}, u1.shape());
        ByteBuffer f8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25);
        assertArrayEquals(new float[]{0.25f}, NpyFiles.decodeColumn(Path.of("e"), npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8.array(), 1), "z").floats());
    }

    // Bytes of numpy.save (numpy 2.4) for: float32 [[1.5, -2], [3, 4]]; big-endian int64 [5, -6, 7]; bool
    // [True, False]; float64 [[0.25]].
    static final String NP_F4 = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000404000008040";
    static final String NP_I8 = "934e554d5059010076007b276465736372273a20273e6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000000000000005fffffffffffffffa0000000000000007";
    static final String NP_B1 = "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0100";
    static final String NP_F8 = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2031292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000d03f";

    static byte[] hex(String h) { return java.util.HexFormat.of().parseHex(h); }

    @Test void readsFilesWrittenByNumpy() throws DataException {
        Column f4 = NpyFiles.decodeColumn(Path.of("f4.npy"), hex(NP_F4), "x");
        assertArrayEquals(new int[]{2, 2}, f4.shape());
        assertArrayEquals(new float[]{1.5f, -2, 3, 4}, f4.floats());
        assertArrayEquals(new int[]{5, -6, 7}, NpyFiles.decodeColumn(Path.of("i8.npy"), hex(NP_I8), "y").ints());
        assertArrayEquals(new int[]{1, 0}, NpyFiles.decodeColumn(Path.of("b1.npy"), hex(NP_B1), "y").ints());
        Column f8 = NpyFiles.decodeColumn(Path.of("f8.npy"), hex(NP_F8), "x");
        assertArrayEquals(new int[]{1, 1}, f8.shape());
        assertArrayEquals(new float[]{0.25f}, f8.floats());
    }

    @Test void writesTheBytesNumpyWrites() {
        assertEquals(NP_F4, java.util.HexFormat.of().formatHex(NpyFiles.encode(Column.floats("x", new float[]{1.5f, -2, 3, 4}, 2))));
    }

    @Test void roundTripsColumns() throws IOException {
        Column f = Column.floats("x", new float[]{1, 2, 3, 4, 5, 6}, 3), i = Column.ints("y", new int[]{4, -5, 6});
        for (Column c : new Column[]{f, i}) {
            Path p = dir.resolve(c.name() + ".npy");
            Files.write(p, NpyFiles.encode(c));
            Column back = NpyFiles.readColumn(p, c.name());
            assertArrayEquals(c.shape(), back.shape());
            assertEquals(c.toTensor(), back.toTensor());
            byte[] bytes = Files.readAllBytes(p);
            int headerEnd = 10 + (ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF);
            assertEquals(0, headerEnd % 64, "data aligned as numpy does");
            assertEquals('\n', bytes[headerEnd - 1]);
        }
    }

    @Test void malformedFilesAreClearErrors() {
        String ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
        byte[] data = le(4, ByteOrder.LITTLE_ENDIAN, 1, 2);
        assertTrue(err(new byte[]{1, 2, 3}).contains("not a .npy file"));
        assertTrue(err(npy(ok, Arrays.copyOf(data, 7), 1)).contains("truncated"));
        assertTrue(err(npy(ok, Arrays.copyOf(data, 9), 1)).contains("unexpected bytes"));
        assertTrue(err(npy(ok.replace("False", "True"), data, 1)).contains("Fortran-order"));
        assertTrue(err(npy(ok.replace("<i4", "<c8"), data, 1)).contains("unsupported dtype '<c8'"));
        assertTrue(err(npy(ok.replace("<i4", "<f2"), data, 1)).contains("unsupported dtype '<f2'"));
        assertTrue(err(npy(ok.replace("(2,)", "()"), le(4, ByteOrder.LITTLE_ENDIAN, 1), 1)).contains("sample axis"));
        assertTrue(err(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", le(8, ByteOrder.LITTLE_ENDIAN, 1L << 40), 1)).contains("is not an i32"));
        byte[] shortHeader = npy(ok, data, 1);
        assertTrue(err(Arrays.copyOf(shortHeader, 20)).contains("truncated"));
    }

    static String err(byte[] b) {
        String m = assertThrows(DataException.class, () -> NpyFiles.decodeColumn(Path.of("f.npy"), b, "x")).getMessage();
        assertTrue(m.startsWith("f.npy: "), m);
        return m;
    }
}
