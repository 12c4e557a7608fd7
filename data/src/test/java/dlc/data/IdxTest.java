package dlc.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir Path dir;

    /** A 2x2x3 ubyte array written byte by byte as the MNIST page describes the format. */
    static final byte[] UBYTE_FIXTURE = bytes(
            0x00, 0x00, 0x08, 0x03,
            0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0xFF);

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) { gz.write(b); }
        return out.toByteArray();
    }

    @Test void decodesHandBuiltUbyteFixture() throws IOException {
        Path f = dir.resolve("fixture-idx3-ubyte");
        Files.write(f, UBYTE_FIXTURE);
        Idx.Array a = Idx.read(f);
        assertEquals(Idx.Type.UBYTE, a.type());
        assertArrayEquals(new int[]{2, 2, 3}, a.dims());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 128, 255}, a.floats());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 128, 255}, a.ints());
    }

    @Test void gzipIsDetectedByMagicNotByName() throws IOException {
        Path f = dir.resolve("no-gz-suffix");
        Files.write(f, gzip(UBYTE_FIXTURE));
        Idx.Array a = Idx.read(f);
        assertArrayEquals(new int[]{2, 2, 3}, a.dims());
        assertEquals(255f, a.floats()[11]);
    }

    @Test void decodesBigEndianIntsAndFloats() throws IOException {
        byte[] ints = bytes(0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF);
        assertArrayEquals(new int[]{256, -1}, Idx.decode(ints, "ints").ints());
        byte[] floats = bytes(0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0); // 1.5f
        assertArrayEquals(new float[]{1.5f}, Idx.decode(floats, "floats").floats());
        byte[] sbytes = bytes(0, 0, 0x09, 1, 0, 0, 0, 1, 0xFF);
        assertArrayEquals(new int[]{-1}, Idx.decode(sbytes, "sbytes").ints());
        byte[] shorts = bytes(0, 0, 0x0B, 1, 0, 0, 0, 1, 0xFF, 0xFE);
        assertArrayEquals(new int[]{-2}, Idx.decode(shorts, "shorts").ints());
    }

    @Test void encodeMatchesTheHandBuiltFixture() {
        double[] v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 128, 255};
        assertArrayEquals(UBYTE_FIXTURE, Idx.encode(Idx.Type.UBYTE, new int[]{2, 2, 3}, v));
    }

    @Test void roundTripsEveryTypeRawAndGzipped() throws IOException {
        double[] v = {0, 1, -2, 100, 7, -128};
        for (Idx.Type t : Idx.Type.values())
            for (boolean gz : new boolean[]{false, true}) {
                double[] vals = t == Idx.Type.UBYTE ? Arrays.stream(v).map(Math::abs).toArray() : v;
                Path f = dir.resolve(t + (gz ? ".gz" : ""));
                Idx.write(f, t, new int[]{3, 2}, vals, gz);
                Idx.Array a = Idx.read(f);
                assertEquals(t, a.type());
                assertArrayEquals(new int[]{3, 2}, a.dims());
                float[] expected = new float[vals.length];
                for (int i = 0; i < vals.length; i++) expected[i] = (float) vals[i];
                assertArrayEquals(expected, a.floats(), t + " gz=" + gz);
            }
    }

    private String errorOf(byte[] content, String name) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        DataException e = assertThrows(DataException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test void malformedFilesAreClearErrorsNamingTheFile() throws IOException {
        assertTrue(errorOf(new byte[0], "empty").contains("shorter than the 4-byte magic"));
        assertTrue(errorOf(bytes(1, 0, 8, 1, 0, 0, 0, 0), "magic").contains("expected 00 00"));
        assertTrue(errorOf(bytes(0, 0, 7, 1, 0, 0, 0, 0), "type").contains("unknown IDX element type 07"));
        assertTrue(errorOf(bytes(0, 0, 8, 0), "rank0").contains("0 dimensions"));
        assertTrue(errorOf(bytes(0, 0, 8, 3, 0, 0, 0, 2), "header").contains("truncated IDX header"));
        assertTrue(errorOf(bytes(0, 0, 8, 1, 0x80, 0, 0, 0), "negative").contains("negative"));
        String m = errorOf(Arrays.copyOf(UBYTE_FIXTURE, UBYTE_FIXTURE.length - 1), "truncated");
        assertTrue(m.contains("truncated IDX data") && m.contains("need 12 bytes, file has 11"), m);
        byte[] extra = Arrays.copyOf(UBYTE_FIXTURE, UBYTE_FIXTURE.length + 2);
        assertTrue(errorOf(extra, "extra").contains("2 unexpected bytes"));
        byte[] gz = gzip(UBYTE_FIXTURE);
        assertTrue(errorOf(Arrays.copyOf(gz, gz.length / 2), "cut.gz").contains("corrupt or truncated gzip"));
        assertTrue(errorOf(bytes(0, 0, 8, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF), "huge").contains("exceed 2 GiB"));
    }

    @Test void everyTruncationOfAFileIsAnError() throws IOException {
        for (byte[] full : List.of(UBYTE_FIXTURE, gzip(UBYTE_FIXTURE)))
            for (int len = 0; len < full.length; len++) {
                byte[] cut = Arrays.copyOf(full, len);
                assertThrows(DataException.class, () -> Idx.decode(cut, "cut"), "length " + len);
            }
    }

    @Test void missingFileIsNamed() {
        Path f = dir.resolve("nope");
        DataException e = assertThrows(DataException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains(f.toString()));
    }

    @Test void imageAndLabelFilesMakeANchwClassificationSet() throws IOException {
        Path img = dir.resolve("img.gz"), lab = dir.resolve("lab");
        Idx.write(img, Idx.Type.UBYTE, new int[]{3, 2, 2}, new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, true);
        Idx.write(lab, Idx.Type.UBYTE, new int[]{3}, new double[]{2, 0, 1}, false);
        Dataset d = IdxDataset.load("tiny", img, lab, 3, List.of());
        assertEquals(3, d.size());
        assertArrayEquals(new int[]{3, 1, 2, 2}, d.features().shape());
        assertArrayEquals(new int[]{2, 0, 1}, d.labels().ints());
        assertEquals(3, d.numClasses());
        assertEquals(7f, d.features().floats()[7]);
    }

    @Test void imageLabelCountMismatchAndBadLabelsAreErrors() throws IOException {
        Path img = dir.resolve("img"), lab = dir.resolve("lab"), bad = dir.resolve("bad");
        Idx.write(img, Idx.Type.UBYTE, new int[]{3, 1, 1}, new double[]{0, 1, 2}, false);
        Idx.write(lab, Idx.Type.UBYTE, new int[]{2}, new double[]{0, 1}, false);
        Idx.write(bad, Idx.Type.UBYTE, new int[]{3}, new double[]{0, 1, 9}, false);
        String m = assertThrows(DataException.class, () -> IdxDataset.load("t", img, lab, 3, List.of())).getMessage();
        assertTrue(m.contains("3 images") && m.contains("2 labels"), m);
        m = assertThrows(DataException.class, () -> IdxDataset.load("t", img, bad, 3, List.of())).getMessage();
        assertTrue(m.contains("label 9 of sample 2"), m);
    }

    /**
     * Issue 10: a gzip bomb (a few KiB inflating to far more than its IDX header declares) was
     * inflated whole. Now inflation stops one byte past the declared size, with a clear error.
     */
    @Test void aGzipBombStopsAtTheDeclaredSize() throws IOException {
        byte[] header = bytes(0, 0, 0x08, 1, 0, 0, 0, 16); // 16 ubytes declared
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(zipped)) {
            z.write(header);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) z.write(zeros); // 256 MiB of zeros inflate from about 256 KiB
        }
        assertTrue(zipped.size() < 1 << 20, "the bomb is small: " + zipped.size());
        DataException e = assertThrows(DataException.class, () -> Idx.decode(zipped.toByteArray(), "bomb.gz"));
        assertTrue(e.getMessage().startsWith("bomb.gz: the gzip data inflates past the 16 bytes of elements its IDX header declares"), e.getMessage());
        byte[] huge = bytes(0, 0, 0x08, 2, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff);
        e = assertThrows(DataException.class, () -> Idx.decode(gzip(huge), "huge.gz"));
        assertTrue(e.getMessage().contains("declares more than 2 GiB"), e.getMessage());
        assertArrayEquals(Idx.decode(UBYTE_FIXTURE, "f").ints(), Idx.decode(gzip(UBYTE_FIXTURE), "f.gz").ints(), "a well-formed gzipped file still reads");
    }
}
