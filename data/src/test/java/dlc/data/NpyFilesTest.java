package dlc.data;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class NpyFilesTest {
    @TempDir Path dir;

    private static final Path F = Path.of("fixture.npy");

    // ---- round trips ---------------------------------------------------------------------------

    @Test
    void roundTripsEveryWritableDType() throws Exception {
        double[] v = {1.5, -2, 0, 3};
        for (DType d : new DType[]{DType.F32, DType.F64}) assertRoundTrip(new Tensor(d, new int[]{2, 2}, v));
        assertRoundTrip(new Tensor(DType.I32, new int[]{4}, new double[]{-7, 0, 2147483647, -2147483648}));
        assertRoundTrip(new Tensor(DType.I64, new int[]{2}, new double[]{-(1L << 52), 1L << 53}));
        assertRoundTrip(new Tensor(DType.BOOL, new int[]{3, 1}, new double[]{1, 0, 1}));
        assertRoundTrip(Tensor.scalar(DType.F64, Math.PI));
        assertRoundTrip(Tensor.zeros(DType.F32, 0, 3));
    }

    @Test
    void f16IsWrittenAsF32() throws Exception {
        Path p = dir.resolve("h.npy");
        NpyFiles.write(p, new Tensor(DType.F16, new int[]{2}, new double[]{0.5, -1}));
        Tensor back = NpyFiles.read(p);
        assertEquals(DType.F32, back.dtype());
        assertArrayEquals(new double[]{0.5, -1}, back.data());
    }

    @Property(tries = 50)
    void anyF64TensorRoundTripsExactly(@ForAll("tensors") Tensor t) throws Exception {
        assertEquals(t, NpyFiles.decode(F, NpyFiles.encode(t)));
    }

    @Provide
    Arbitrary<Tensor> tensors() {
        return Arbitraries.integers().between(0, 4).list().ofMinSize(0).ofMaxSize(3).flatMap(dims -> {
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            int n = (int) Tensor.numel(shape);
            return Arbitraries.doubles().list().ofSize(n)
                    .map(xs -> new Tensor(DType.F64, shape, xs.stream().mapToDouble(Double::doubleValue).toArray()));
        });
    }

    private void assertRoundTrip(Tensor t) throws Exception {
        Path p = dir.resolve("t.npy");
        NpyFiles.write(p, t);
        assertEquals(t, NpyFiles.read(p));
    }

    // ---- the exact bytes NumPy writes and reads --------------------------------------------------

    @Test
    void writesTheSameBytesAsNumpySave() {
        // np.save(f, np.array([[1.5, -2], [3, 4]], dtype='<f4')): 10-byte preamble, header padded to 128, 16 data bytes
        byte[] b = NpyFiles.encode(new Tensor(DType.F32, new int[]{2, 2}, new double[]{1.5, -2, 3, 4}));
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        byte[] expected = npy(1, header, le(4).putFloat(1.5f).putFloat(-2).putFloat(3).putFloat(4));
        assertEquals(144, b.length);
        assertArrayEquals(expected, b);
    }

    @Test
    void writesOneDimAndScalarShapesAsPythonTuples() {
        assertTrue(headerOf(NpyFiles.encode(new Tensor(DType.BOOL, new int[]{3}, new double[]{1, 0, 1}))).contains("'descr': '|b1'"));
        assertTrue(headerOf(NpyFiles.encode(new Tensor(DType.BOOL, new int[]{3}, new double[]{1, 0, 1}))).contains("'shape': (3,)"));
        assertTrue(headerOf(NpyFiles.encode(Tensor.scalar(DType.I64, 7))).contains("'shape': ()"));
    }

    @Test
    void readsVersion1LittleEndianF4() throws Exception {
        byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", le(4).putFloat(1).putFloat(-0.5f).putFloat(2));
        Tensor t = NpyFiles.decode(F, b);
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new int[]{3}, t.shape());
        assertArrayEquals(new double[]{1, -0.5, 2}, t.data());
    }

    @Test
    void readsVersion2And3Headers() throws Exception {
        byte[] v2 = npy(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le(8).putLong(-3).putLong(1L << 40));
        assertEquals(new Tensor(DType.I64, new int[]{2}, new double[]{-3, 1L << 40}), NpyFiles.decode(F, v2));
        byte[] v3 = npy(3, "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (1, 2)}", le(4).putInt(5).putInt(-6));
        assertEquals(new Tensor(DType.I32, new int[]{1, 2}, new double[]{5, -6}), NpyFiles.decode(F, v3));
    }

    @Test
    void readsBigEndianAndUnsignedBytes() throws Exception {
        ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(1.25).putDouble(-8);
        assertArrayEquals(new double[]{1.25, -8}, NpyFiles.decode(F, npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be)).data());
        Tensor u = NpyFiles.decode(F, npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", le(1).put((byte) 200).put((byte) 3)));
        assertEquals(DType.U8, u.dtype(), "u1 is the u8 dtype, no conversion");
        assertArrayEquals(new double[]{200, 3}, u.data());
        Tensor b = NpyFiles.decode(F, npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", le(1).put((byte) 2).put((byte) 0)));
        assertEquals(new Tensor(DType.BOOL, new int[]{2}, new double[]{1, 0}), b);
    }

    @Test
    void acceptsKeysInAnyOrderAndPython2Longs() throws Exception {
        byte[] b = npy(1, "{'shape': (1L, 2L), 'fortran_order': False, 'descr': '<i4'}", le(4).putInt(1).putInt(2));
        assertArrayEquals(new int[]{1, 2}, NpyFiles.decode(F, b).shape());
    }

    // ---- errors name the file and the problem ----------------------------------------------------

    @Test
    void rejectsFortranOrder() {
        byte[] b = npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", le(8).putDouble(1));
        assertError(b, "Fortran-order");
    }

    @Test
    void rejectsUnsupportedDtypes() {
        assertError(npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", le(8).putLong(0)), "unsupported dtype '<c8'");
        assertError(npy(1, "{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", le(8).putLong(0)), "unsupported dtype '<u8'");
        assertError(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", le(4).putFloat(0)), "unsupported dtype");
    }

    @Test
    void rejectsMalformedFiles() {
        assertError("hello world, not numpy".getBytes(StandardCharsets.US_ASCII), "not a .npy file");
        assertError(new byte[]{(byte) 0x93, 'N', 'U'}, "too short");
        byte[] v9 = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", le(8).putDouble(1));
        v9[6] = 9;
        assertError(v9, "unsupported .npy format version 9.0");
        byte[] full = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", le(16).putDouble(1).putDouble(2));
        assertError(Arrays.copyOf(full, full.length - 3), "truncated: shape (2,) of <f8 needs 16 bytes of data, the file has 13");
        assertError(Arrays.copyOf(full, 40), "truncated: the header says");
        assertError(Arrays.copyOf(full, full.length + 1), "1 unexpected bytes");
        assertError(npy(1, "{'descr': '<f8', 'shape': (1,), }", le(8).putDouble(1)), "no 'fortran_order' entry");
        assertError(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 'x'), }", le(8).putDouble(1)), "'shape' is not a tuple of ints");
        assertError(npy(1, "{'descr': '<f8', 'fortran_order': Nope, 'shape': (1,), }", le(8).putDouble(1)), "malformed header");
        assertError(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", le(8).putDouble(1)), "malformed header");
        assertError(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", le(8).putDouble(1)), "negative dim");
    }

    @Test
    void missingFileIsADataExceptionNamingIt() {
        Path p = dir.resolve("absent.npy");
        DataException e = assertThrows(DataException.class, () -> NpyFiles.read(p));
        assertEquals(p + ": no such file", e.getMessage());
    }

    private static void assertError(byte[] bytes, String expected) {
        DataException e = assertThrows(DataException.class, () -> NpyFiles.decode(F, bytes));
        assertTrue(e.getMessage().startsWith("fixture.npy: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    // ---- fixture helpers -------------------------------------------------------------------------

    /** A little-endian buffer with room for {@code atLeast} bytes; fixtures use the bytes up to its position. */
    private static ByteBuffer le(int atLeast) { return ByteBuffer.allocate(Math.max(atLeast, 64)).order(ByteOrder.LITTLE_ENDIAN); }

    /** A .npy file of the given version: magic, version, header length, the header padded to 64 with a newline, data. */
    private static byte[] npy(int major, String header, ByteBuffer data) {
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lenBytes + header.length() + 1;
        String h = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] hb = h.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) len.putShort((short) hb.length);
        else len.putInt(hb.length);
        out.writeBytes(len.array());
        out.writeBytes(hb);
        out.writeBytes(Arrays.copyOf(data.array(), data.position()));
        return out.toByteArray();
    }

    private static String headerOf(byte[] npy) {
        int len = ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        return new String(npy, 10, len, StandardCharsets.ISO_8859_1);
    }
}
