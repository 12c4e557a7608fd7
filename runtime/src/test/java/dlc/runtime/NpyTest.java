package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class NpyTest {
    private static Tensor roundTrip(Tensor t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        byte[] b = out.toByteArray();
        assertEquals(0, (b.length - t.numel() * elemSize(t.dtype())) % 64, "data aligned to 64 bytes");
        return Npy.read(new ByteArrayInputStream(b));
    }

    private static int elemSize(String dtype) {
        return switch (dtype) { case "f32", "i32" -> 4; case "bool" -> 1; default -> 8; };
    }

    @Test
    void everyDtypeRoundTrips() throws IOException {
        Tensor f = Tensor.of(new float[]{1.5f, -2f, 3.25f, Float.MIN_VALUE, 7f, 8f}, 2, 3);
        Tensor r = roundTrip(f);
        assertEquals("f32", r.dtype());
        assertArrayEquals(new int[]{2, 3}, r.shape());
        assertArrayEquals(f.floats(), r.floats());
        for (String dtype : new String[]{"f64", "i32", "i64", "bool"}) {
            double[] v = dtype.equals("bool") ? new double[]{1, 0, 1} : new double[]{-3, 0, 12345};
            if (dtype.equals("f64")) v[1] = 0.1;
            if (dtype.equals("i64")) v[2] = 1L << 40;
            Tensor t = roundTrip(Tensor.of(dtype, v, 3));
            assertEquals(dtype, t.dtype());
            assertArrayEquals(v, t.doubles(), dtype);
        }
        Tensor scalar = roundTrip(Tensor.of("i64", new double[]{42}));
        assertArrayEquals(new int[0], scalar.shape());
        assertEquals(42, scalar.get(0));
    }

    @Test
    void readsNumpyStyleHeadersAndBigEndian() throws IOException {
        String header = "{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) -5).putShort((short) 300);
        Tensor t = Npy.read(new ByteArrayInputStream(b.array()));
        assertEquals("i32", t.dtype());
        assertArrayEquals(new double[]{-5, 300}, t.doubles());
    }

    @Test
    void malformedFilesSayWhy() {
        IOException e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream("hello world".getBytes())));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
        byte[] full = Npy.bytes(Tensor.of(new float[]{1, 2, 3, 4}, 4));
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 3);
        e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(cut)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    /** A .npy file with this header text (padded as NumPy pads it) and these data bytes. */
    static byte[] npy(int major, String header, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lenBytes + header.length() + 1;
        byte[] h = (header + " ".repeat((64 - unpadded % 64) % 64) + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) h.length);
        else b.putInt(h.length);
        return b.put(h).put(data).array();
    }

    private static void assertRefused(byte[] file, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.decode(file));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        IOException io = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(file)));
        assertEquals(e.getMessage(), io.getMessage());
    }

    private static String header(String shape) { return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }"; }

    /**
     * The files of issue 10 that crashed the model jar's old reader (StringIndexOutOfBounds,
     * BufferUnderflow, overflow) or that it accepted while dlc run refused them: each is now one
     * IllegalArgumentException saying what is wrong.
     */
    @Test
    void malformedHeadersAreRefusedWithAReason() {
        byte[] eight = new byte[8];
        assertRefused(npy(1, header("5"), eight), "'shape' is not a tuple of ints");
        assertRefused(npy(1, header("[4, 2]"), new byte[32]), "'shape' is not a tuple of ints");
        assertRefused(npy(1, header("''"), eight), "'shape' is not a tuple of ints");
        assertRefused(npy(1, header("(2)"), eight), "a 1-d shape is written (n,)");
        assertRefused(npy(1, header("((2,),)"), eight), "'shape' is not a tuple of ints");
        assertRefused(npy(1, header("(-2,)"), eight), "negative dim");
        assertRefused(npy(1, header("(1073741824, 2)"), eight), "too large (at most 2^31-1 elements)");
        assertRefused(npy(1, header("(4294967296, 0)"), new byte[0]), "a dim is at most 2^31-1");
        assertRefused(npy(1, header("(99999999999999999999,)"), eight), "too large");
        assertRefused(npy(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", eight), "'fortran_order' is not True or False");
        assertRefused(npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", eight), "'descr' is given twice");
        assertRefused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", eight), "unexpected key 'extra'");
        assertRefused(npy(1, "{'descr': '<f4', 'fortran_order': False}", eight), "no 'shape' entry");
        assertRefused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", eight), "unexpected text after the header dict");
        assertRefused(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", eight), "the header ends early");
        assertRefused(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", eight), "structured dtype");
        assertRefused(npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", eight), "unsupported dtype '<c8'");
        assertRefused(npy(1, "{'descr': '', 'fortran_order': False, 'shape': (1,), }", eight), "empty dtype");
        assertRefused(npy(1, "{'descr': '<', 'fortran_order': False, 'shape': (1,), }", eight), "unsupported dtype '<'");
        assertRefused(npy(1, header("(2,)"), new byte[9]), "1 unexpected bytes after the data");
        assertRefused(npy(1, header("(3,)"), eight), "truncated: shape (3,) of <f4 needs 12 bytes of data, the file has 8");
        byte[] v3 = npy(3, header("(2,)"), eight);
        v3[20] = (byte) 0xff; // inside the header: not UTF-8
        assertRefused(v3, "not valid UTF-8");
    }

    /** Cut anywhere, a file is refused with a reason: after the magic, after the version, inside the header length or the header. */
    @Test
    void everyTruncationIsRefused() {
        byte[] full = Npy.bytes(Tensor.of(new float[]{1, 2}, 2));
        for (int len = 0; len < full.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.decode(cut), "cut at " + len);
            assertFalse(e.getMessage().isBlank());
        }
        assertRefused(java.util.Arrays.copyOf(full, 7), "too short");
        assertRefused(java.util.Arrays.copyOf(full, 9), "the header length is missing");
        assertRefused(java.util.Arrays.copyOf(full, 40), "truncated: the header says it is 118 bytes");
    }

    /** 60,000 nested parentheses (issue 10) are an error, not a StackOverflowError: the header parser does not recurse. */
    @Test
    void deeplyNestedHeadersDoNotOverflowTheStack() {
        String deep = "(".repeat(60_000) + ")".repeat(60_000);
        assertRefused(npy(2, header(deep), new byte[0]), "'shape' is not a tuple of ints");
        assertRefused(npy(2, "{'descr': [" + "(".repeat(60_000) + ")".repeat(60_000) + "], 'fortran_order': False, 'shape': (), }", new byte[0]),
                "structured dtype");
        assertRefused(npy(2, "{'descr': " + "[".repeat(60_000), new byte[0]), "the header ends early");
    }

    @Test
    void castConvertsFloat64ToF32AndTruncatesToIntegers() {
        Tensor d = Tensor.of("f64", new double[]{0.1, -2.7, 3.9}, 3);
        Tensor f = Npy.cast(d, "f32");
        assertArrayEquals(new float[]{0.1f, -2.7f, 3.9f}, f.floats());
        assertArrayEquals(new double[]{0, -2, 3}, Npy.cast(d, "i32").doubles());
        assertSame(d, Npy.cast(d, "f64"));
    }
}
