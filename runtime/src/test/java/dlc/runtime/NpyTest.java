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

    @Test
    void castConvertsFloat64ToF32AndTruncatesToIntegers() {
        Tensor d = Tensor.of("f64", new double[]{0.1, -2.7, 3.9}, 3);
        Tensor f = Npy.cast(d, "f32");
        assertArrayEquals(new float[]{0.1f, -2.7f, 3.9f}, f.floats());
        assertArrayEquals(new double[]{0, -2, 3}, Npy.cast(d, "i32").doubles());
        assertSame(d, Npy.cast(d, "f64"));
    }
}
