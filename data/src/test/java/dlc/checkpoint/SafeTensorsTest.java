package dlc.checkpoint;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {

    // ---- generators ----

    @Provide Arbitrary<Checkpoint> checkpoints() {
        // Names exercise JSON escaping (quote, backslash, non-ASCII) but never spell __metadata__ or dlc.sha256.
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'e').withChars('.', '/', ' ', '"', '\\', 'é', '\n')
                .ofMinLength(1).ofMaxLength(6);
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(3);
        Arbitrary<DType> dtypes = Arbitraries.of(DType.F32, DType.F64, DType.I32, DType.I64, DType.I8, DType.U8, DType.BOOL);
        Arbitrary<Tensor> tensors = Combinators.combine(dtypes, shapes, Arbitraries.longs()).as(SafeTensorsTest::randomTensor);
        Arbitrary<Map<String, Tensor>> maps = Arbitraries.maps(names, tensors).ofMaxSize(6);
        Arbitrary<Map<String, String>> meta = Arbitraries.maps(names, Arbitraries.strings().ofMaxLength(8)).ofMaxSize(3);
        return Combinators.combine(maps, meta).as(Checkpoint::new);
    }

    static Tensor randomTensor(DType dtype, int[] shape, long seed) {
        Random r = new Random(seed);
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = switch (dtype) {
            case F32 -> r.nextInt(10) == 0 ? new float[]{Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE}[r.nextInt(4)] : (float) r.nextGaussian();
            case F64 -> Double.longBitsToDouble(r.nextLong());
            case I32 -> r.nextInt();
            case I64 -> r.nextLong() >> 11; // exact in float64, as the interpreter holds it
            case I8 -> (byte) r.nextInt();
            case U8 -> r.nextInt(256);
            default -> r.nextBoolean() ? 1 : 0;
        };
        return new Tensor(dtype, shape, d);
    }

    // ---- round trips ----

    @Property void encodeDecodeRoundTrips(@ForAll("checkpoints") Checkpoint c) throws CheckpointException {
        Checkpoint back = SafeTensors.decode(SafeTensors.encode(c), "mem");
        assertEquals(c, back);
        assertEquals(List.copyOf(c.tensors().keySet()), List.copyOf(back.tensors().keySet()));
    }

    @Property(tries = 20) void fileRoundTrips(@ForAll("checkpoints") Checkpoint c) throws Exception {
        Path dir = Files.createTempDirectory("st");
        try {
            Path f = dir.resolve("model.safetensors");
            SafeTensors.write(f, c);
            assertEquals(c, SafeTensors.read(f));
            try (var files = Files.list(dir)) { assertEquals(List.of(f), files.toList(), "no temporary files left"); }
        } finally {
            try (var files = Files.list(dir)) { for (Path p : files.toList()) Files.delete(p); }
            Files.delete(dir);
        }
    }

    @Property void headerIsAlignedAndDataIsLittleEndian(@ForAll("checkpoints") Checkpoint c) {
        byte[] b = SafeTensors.encode(c);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + n) % 8, "data section starts 8-byte aligned");
        assertEquals('{', b[8]);
    }

    // ---- cross-checks with hand-written bytes ----

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test void readsTheReferenceImplementationsTestFixture() throws CheckpointException {
        // huggingface/safetensors test_deserialization: header length '<' (60), one I32 [2, 2] tensor of zeros.
        byte[] b = new byte[8 + 60 + 16];
        b[0] = '<';
        byte[] h = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 8, 60);
        Checkpoint c = SafeTensors.decode(b, "fixture");
        assertEquals(Map.of("test", Tensor.zeros(DType.I32, 2, 2)), c.tensors());
        assertEquals(Map.of(), c.metadata());
    }

    @Test void readsAHandWrittenFileOfEveryDtype() throws CheckpointException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[28,30]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[30,30]}}";
        byte[] data = bytes(
                0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,          // 1.0f, -2.0f
                0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,          // -2L
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,          // 1.5
                0x05, 0x01, 0x00, 0x00,                                  // 261
                0x01, 0x00);                                             // true, false
        Checkpoint c = SafeTensors.decode(file(header, data), "hand");
        assertEquals(Tensor.of(new int[]{2}, 1, -2).withDType(DType.F32), c.tensor("w"));
        assertEquals(new Tensor(DType.I64, new int[]{1, 1}, new double[]{-2}), c.tensor("n"));
        assertEquals(Tensor.scalar(DType.F64, 1.5), c.tensor("d"));
        assertEquals(new Tensor(DType.I32, new int[]{1}, new double[]{261}), c.tensor("i"));
        assertEquals(new Tensor(DType.BOOL, new int[]{2}, new double[]{1, 0}), c.tensor("m"));
        assertEquals(Tensor.zeros(DType.F32, 0, 3), c.tensor("e"));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertEquals(List.of("w", "n", "d", "i", "m", "e"), List.copyOf(c.tensors().keySet()));
    }

    @Test void writesTheBytesTheSpecPrescribes() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(new int[]{2}, 1, -2).withDType(DType.F32));
        t.put("b", new Tensor(DType.I32, new int[]{1}, new double[]{261}));
        byte[] b = SafeTensors.encode(new Checkpoint(t, Map.of("dlc.step", "7")));
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) buf.getLong(0);
        byte[] data = Arrays.copyOfRange(b, 8 + n, b.length);
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x05, 0x01, 0x00, 0x00), data);
        String header = new String(b, 8, n, StandardCharsets.UTF_8).strip();
        @SuppressWarnings("unchecked") Map<String, Object> h = (Map<String, Object>) Json.parse(header);
        assertEquals(Map.of("dtype", "F32", "shape", List.of(2L), "data_offsets", List.of(0L, 8L)), h.get("a"));
        assertEquals(Map.of("dtype", "I32", "shape", List.of(1L), "data_offsets", List.of(8L, 12L)), h.get("b"));
        @SuppressWarnings("unchecked") Map<String, Object> meta = (Map<String, Object>) h.get("__metadata__");
        assertEquals("7", meta.get("dlc.step"));
        // SHA-256 of the 12 data bytes, computed independently with sha256sum.
        assertEquals(SHA_OF_DATA, meta.get("dlc.sha256"));
    }

    static final String SHA_OF_DATA = "82f208bfc579ff91fb385360efbb151c185973710ba10f3a268954b45662ee9d";

    // ---- corruption ----

    static Checkpoint sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", randomTensor(DType.F32, new int[]{3, 4}, 1));
        t.put("b", randomTensor(DType.F64, new int[]{4}, 2));
        t.put("steps", randomTensor(DType.I64, new int[]{}, 3));
        return new Checkpoint(t, Map.of(Checkpoint.STEP_KEY, "100", Checkpoint.MODEL_KEY, "mlp"));
    }

    @Test void everyFlippedDataByteIsAHashMismatch() {
        byte[] good = SafeTensors.encode(sample());
        int start = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (int i = start; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            String m = assertThrows(CheckpointException.class, () -> SafeTensors.decode(bad, "ck"), "byte " + i).getMessage();
            assertTrue(m.startsWith("ck: data is corrupted: SHA-256"), m);
        }
    }

    /** The same file with the header's metadata replaced (the header re-padded to 8 bytes; data untouched). */
    @SuppressWarnings("unchecked")
    static byte[] withMetadata(byte[] file, java.util.function.Consumer<Map<String, Object>> edit) {
        int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Map<String, Object> header = (Map<String, Object>) Json.parse(new String(file, 8, n, java.nio.charset.StandardCharsets.UTF_8).strip());
        edit.accept((Map<String, Object>) header.get(SafeTensors.METADATA));
        StringBuilder h = new StringBuilder(Json.write(header));
        while ((8 + h.length()) % 8 != 0) h.append(' ');
        byte[] hb = h.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + hb.length + file.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(hb.length).put(hb).put(file, 8 + n, file.length - 8 - n).array();
    }

    /**
     * Issue 10: with dlc.sha256 removed, a flipped data byte passed. A file with dlc's metadata must
     * carry the hash; a plain safetensors file (no dlc metadata) still reads without one.
     */
    @Test void aDlcCheckpointWithoutItsHashIsRefused() throws CheckpointException {
        byte[] good = SafeTensors.encode(sample());
        byte[] unhashed = withMetadata(good, m -> m.remove(Checkpoint.SHA256_KEY));
        String msg = assertThrows(CheckpointException.class, () -> SafeTensors.decode(unhashed, "ck")).getMessage();
        assertTrue(msg.startsWith("ck: a dlc checkpoint without 'dlc.sha256' metadata"), msg);
        byte[] foreign = withMetadata(good, m -> {
            m.remove(Checkpoint.SHA256_KEY);
            m.remove(Checkpoint.MODEL_KEY);
        });
        assertEquals(sample().tensors(), SafeTensors.decode(foreign, "plain").tensors());
    }

    @Test void everyTruncationIsAnError() {
        byte[] good = SafeTensors.encode(sample());
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            String m = assertThrows(CheckpointException.class, () -> SafeTensors.decode(cut, "ck"), "length " + len).getMessage();
            assertTrue(m.startsWith("ck: "), m);
        }
    }

    @Test void flippedHeaderBytesNeverCrashTheReader() {
        byte[] good = SafeTensors.encode(sample());
        int start = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        for (int i = 0; i < start; i++)
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                try {
                    SafeTensors.decode(bad, "ck"); // some flips only change a metadata string: still a valid file
                } catch (CheckpointException expected) {
                    // the clear error we want
                }
            }
    }

    static String badHeader(String header, byte[] data) {
        return assertThrows(CheckpointException.class, () -> SafeTensors.decode(file(header, data), "ck"), header).getMessage();
    }

    @Test void badHeadersAreNamedErrors() {
        byte[] eight = new byte[8];
        String t = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
        assertTrue(badHeader("[1]", eight).contains("does not start with '{'"));
        assertTrue(badHeader("{\"a\":", eight).contains("bad header: unexpected end of JSON"));
        assertTrue(badHeader("{\"a\":{" + t + "[0,8]},\"a\":{" + t + "[0,8]}}", eight).contains("duplicate key"));
        assertTrue(badHeader("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", eight).contains("unsupported dtype 'BF16'"));
        assertTrue(badHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight).contains("non-negative"));
        assertTrue(badHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight).contains("needs 12 bytes"));
        assertTrue(badHeader("{\"a\":{" + t + "[8,0]}}", eight).contains("begin <= end"));
        assertTrue(badHeader("{\"a\":{" + t + "[0,8]},\"b\":{" + t + "[4,12]}}", new byte[12]).contains("overlaps"));
        assertTrue(badHeader("{\"a\":{" + t + "[4,12]}}", new byte[12]).contains("gap"));
        assertTrue(badHeader("{\"a\":{" + t + "[0,8]}}", new byte[10]).contains("2 bytes in the data section after the last tensor"));
        assertTrue(badHeader("{\"a\":{" + t + "[0,8]}}", new byte[4]).contains("truncated"));
        assertTrue(badHeader("{\"a\":{" + t + "[0,8],\"x\":1}}", eight).contains("unknown field 'x'"));
        assertTrue(badHeader("{\"__metadata__\":{\"k\":1}}", new byte[0]).contains("metadata 'k' must be a string"));
        assertTrue(badHeader("{\"a\":[]}", new byte[0]).contains("tensor 'a' must be an object"));
        assertTrue(badHeader("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", bytes(2)).contains("bool tensor 'a' holds byte 2"));
        byte[] hugeLength = new byte[16];
        hugeLength[7] = 0x7F;
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.decode(hugeLength, "ck")).getMessage().contains("bad header length"));
    }

    @Test void missingFileIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path f = dir.resolve("none.safetensors");
        assertTrue(assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage().contains(f.toString()));
    }

    @Test void unstorableValuesAreRejectedOnWrite() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(new Checkpoint(Map.of("h", Tensor.zeros(DType.F16, 1)), Map.of()))).getMessage();
        assertTrue(m.contains("'h'") && m.contains("f16"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(new Checkpoint(Map.of("i", new Tensor(DType.I32, new int[]{1}, new double[]{0.5})), Map.of()))).getMessage();
        assertTrue(m.contains("'i'") && m.contains("0.5"), m);
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(new Checkpoint(Map.of("i", new Tensor(DType.I32, new int[]{1}, new double[]{0x1p31})), Map.of())));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(new Checkpoint(Map.of("m", new Tensor(DType.BOOL, new int[]{1}, new double[]{2})), Map.of())));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(Map.of("__metadata__", Tensor.zeros(DType.F32, 1)), Map.of()));
    }

    // ---- expectations ----

    @Test void mismatchesAreAllReportedByName() {
        Checkpoint c = sample();
        List<TensorSpec> expected = List.of(
                new TensorSpec("w", DType.F32, new int[]{3, 4}),        // matches
                new TensorSpec("b", DType.F32, new int[]{5}),           // wrong dtype and shape
                new TensorSpec("gamma", DType.F32, new int[]{4}));      // missing; "steps" is unexpected
        assertEquals(List.of(
                "tensor 'b' has dtype f64, expected f32",
                "tensor 'b' has shape [4], expected [5]",
                "missing tensor 'gamma' (expected f32[4])",
                "unexpected tensor 'steps' (i64[])"), c.mismatches(expected));
        String m = assertThrows(CheckpointException.class, () -> c.requireMatches(expected, "run.safetensors")).getMessage();
        assertTrue(m.startsWith("run.safetensors does not match the model (4 problems)"), m);
        assertTrue(m.contains("missing tensor 'gamma'") && m.contains("unexpected tensor 'steps'"), m);
        List<TensorSpec> exact = List.of(new TensorSpec("w", DType.F32, new int[]{3, 4}), new TensorSpec("b", DType.F64, new int[]{4}),
                new TensorSpec("steps", DType.I64, new int[0]));
        assertEquals(List.of(), c.mismatches(exact));
        assertDoesNotThrow(() -> c.requireMatches(exact, "ok"));
    }

    @Test void metadataAccessors() {
        Checkpoint c = sample();
        assertEquals(100, c.metaLong(Checkpoint.STEP_KEY));
        assertEquals(7, c.with(Checkpoint.EPOCH_KEY, "7").metaLong(Checkpoint.EPOCH_KEY));
        assertNull(c.meta(Checkpoint.EPOCH_KEY), "with() returns a new checkpoint");
        assertEquals("mlp", c.meta(Checkpoint.MODEL_KEY));
        assertThrows(IllegalArgumentException.class, () -> c.metaLong(Checkpoint.MODEL_KEY));
        assertThrows(IllegalArgumentException.class, () -> c.metaLong(Checkpoint.EPOCH_KEY));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.tensor("z")).getMessage().contains("[w, b, steps]"));
    }
}
