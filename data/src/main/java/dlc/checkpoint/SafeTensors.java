package dlc.checkpoint;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link Checkpoint}s in the safetensors format: an 8-byte little-endian header
 * length N, an N-byte UTF-8 JSON header mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data section)
 * plus an optional {@code "__metadata__"} string map, then the raw little-endian tensor data.
 * Supported dtypes: F32, F64, I32, I64, I8, U8, BOOL. The header is padded with spaces so the data starts
 * at a multiple of 8 bytes, as the reference implementation does.
 *
 * <p>Writing stores the SHA-256 of the data section as metadata {@value Checkpoint#SHA256_KEY} and
 * replaces the file atomically ({@link AtomicFile}). Reading verifies the header, that the tensors
 * tile the data section exactly (in order, contiguous, inside the file), each tensor's byte length,
 * and the SHA-256 when present; it must be present when the file carries dlc's {@value Checkpoint#MODEL_KEY}
 * metadata (a dlc checkpoint), so a flipped data byte in one is always caught. The metadata itself is
 * not hashed: its readers range-check every field. Whole files are held in memory, so a checkpoint is limited to 2 GiB.
 */
public final class SafeTensors {
    /** The reserved header key of the metadata map. */
    public static final String METADATA = "__metadata__";
    /** Headers larger than this are rejected before allocating (the reference limit is 100 MB). */
    static final long MAX_HEADER = 100_000_000L;

    private SafeTensors() {}

    /** Writes {@code ckpt} to {@code file} atomically. */
    public static void write(Path file, Checkpoint ckpt) throws IOException {
        byte[] bytes = encode(ckpt);
        AtomicFile.write(file, out -> out.write(bytes));
    }

    /** Reads and verifies {@code file}. */
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new CheckpointException(file + ": no such checkpoint file");
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new CheckpointException(file + ": " + size + " bytes; checkpoints over 2 GiB are not supported");
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** The safetensors bytes of {@code ckpt}, with the data section's SHA-256 in the metadata. */
    public static byte[] encode(Checkpoint ckpt) {
        long dataLength = 0;
        for (Map.Entry<String, Tensor> e : ckpt.tensors().entrySet()) dataLength += (long) e.getValue().size() * width(e.getKey(), e.getValue().dtype());
        if (dataLength > Integer.MAX_VALUE - (1 << 20)) throw new IllegalArgumentException("checkpoint data of " + dataLength + " bytes exceeds 2 GiB");
        ByteBuffer data = ByteBuffer.allocate((int) dataLength).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Object> header = new LinkedHashMap<>();
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : ckpt.tensors().entrySet()) {
            Tensor t = e.getValue();
            long begin = data.position();
            put(e.getKey(), t, data);
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", name(t.dtype()));
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(begin, (long) data.position()));
            entries.put(e.getKey(), entry);
        }
        Map<String, Object> meta = new LinkedHashMap<>(ckpt.metadata());
        meta.put(Checkpoint.SHA256_KEY, sha256(data.array(), 0, data.capacity()));
        header.put(METADATA, meta);
        header.putAll(entries);
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 8 + 7) / 8 * 8 - 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        out.put(data.array());
        return out.array();
    }

    /** Parses and verifies safetensors bytes; {@code source} names them in errors. */
    public static Checkpoint decode(byte[] bytes, String source) throws CheckpointException {
        if (bytes.length < 8) throw new CheckpointException(source + ": truncated: " + bytes.length + " bytes, shorter than the 8-byte header length");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        if (n <= 0 || n > MAX_HEADER) throw new CheckpointException(source + ": bad header length " + Long.toUnsignedString(n) + " (not a safetensors file?)");
        if (n > bytes.length - 8L)
            throw new CheckpointException(source + ": truncated: header length " + n + " but only " + (bytes.length - 8) + " bytes follow");
        int dataStart = 8 + (int) n;
        Map<String, Object> header = header(bytes, (int) n, source);

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) metadata = metadata(e.getValue(), source);
            else entries.add(entry(e.getKey(), e.getValue(), source));
        }

        // The tensors must tile the data section exactly: sorted by offset, each starts where the last ended.
        long dataLength = bytes.length - (long) dataStart;
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin != at)
                throw new CheckpointException(source + ": tensor '" + e.name + "' starts at data offset " + e.begin + ", expected " + at
                        + (e.begin > at ? " (gap in the data section)" : " (overlaps the previous tensor)"));
            if (e.end > dataLength)
                throw new CheckpointException(source + ": truncated: tensor '" + e.name + "' ends at data offset " + e.end + " but the data section has "
                        + dataLength + " bytes");
            at = e.end;
        }
        if (at != dataLength)
            throw new CheckpointException(source + ": " + (dataLength - at) + " bytes in the data section after the last tensor (ends at " + at + ")");

        String expectedHash = metadata.get(Checkpoint.SHA256_KEY);
        // dlc writes the hash into every checkpoint, so a file with dlc's metadata but no hash was
        // edited or truncated by hand: its data cannot be verified, and a flipped byte would pass.
        if (expectedHash == null && metadata.containsKey(Checkpoint.MODEL_KEY))
            throw new CheckpointException(source + ": a dlc checkpoint without '" + Checkpoint.SHA256_KEY + "' metadata: its data cannot be verified "
                    + "(every checkpoint dlc writes records the SHA-256 of its data)");
        if (expectedHash != null) {
            String actual = sha256(bytes, dataStart, (int) dataLength);
            if (!actual.equalsIgnoreCase(expectedHash))
                throw new CheckpointException(source + ": data is corrupted: SHA-256 of the data section is " + actual + ", the header records " + expectedHash);
        }

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) tensors.put(e.name, get(e, b, dataStart, source));
        Map<String, String> userMeta = new LinkedHashMap<>(metadata);
        userMeta.remove(Checkpoint.SHA256_KEY);
        return new Checkpoint(tensors, userMeta);
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private static Map<String, Object> header(byte[] bytes, int n, String source) throws CheckpointException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, n)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(source + ": bad header: not valid UTF-8");
        }
        if (!text.startsWith("{")) throw new CheckpointException(source + ": bad header: does not start with '{' (not a safetensors file?)");
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.SyntaxError e) {
            throw new CheckpointException(source + ": bad header: " + e.getMessage());
        }
        @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) parsed; // starts with '{', so an object
        return m;
    }

    private static Map<String, String> metadata(Object v, String source) throws CheckpointException {
        if (!(v instanceof Map<?, ?> m)) throw new CheckpointException(source + ": bad header: " + METADATA + " must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s))
                throw new CheckpointException(source + ": bad header: metadata '" + e.getKey() + "' must be a string, got " + Json.write(e.getValue()));
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object v, String source) throws CheckpointException {
        String what = source + ": bad header: tensor '" + name + "'";
        if (name.isEmpty()) throw new CheckpointException(source + ": bad header: a tensor has an empty name");
        if (!(v instanceof Map<?, ?> m)) throw new CheckpointException(what + " must be an object");
        for (Object k : m.keySet())
            if (!List.of("dtype", "shape", "data_offsets").contains(k)) throw new CheckpointException(what + " has unknown field '" + k + "'");
        if (!(m.get("dtype") instanceof String dt)) throw new CheckpointException(what + " needs a string dtype");
        DType dtype = dtype(dt);
        if (dtype == null) throw new CheckpointException(what + " has unsupported dtype '" + dt + "' (supported: F32, F64, I32, I64, I8, U8, BOOL)");
        long[] shape = longs(m.get("shape"), what + " shape");
        long[] off = longs(m.get("data_offsets"), what + " data_offsets");
        if (off.length != 2 || off[0] > off[1]) throw new CheckpointException(what + " data_offsets must be [begin, end] with begin <= end, got " + Arrays.toString(off));
        long numel = 1;
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) throw new CheckpointException(what + " dimension " + shape[i] + " is too large");
            dims[i] = (int) shape[i];
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE) throw new CheckpointException(what + " shape " + Arrays.toString(shape) + " has too many elements");
        }
        long expected = numel * width(name, dtype);
        if (off[1] - off[0] != expected)
            throw new CheckpointException(what + ": " + dt + Arrays.toString(shape) + " needs " + expected + " bytes, data_offsets " + Arrays.toString(off)
                    + " hold " + (off[1] - off[0]));
        return new Entry(name, dtype, dims, off[0], off[1]);
    }

    private static long[] longs(Object v, String what) throws CheckpointException {
        if (!(v instanceof List<?> l)) throw new CheckpointException(what + " must be an array of non-negative integers");
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long x) || x < 0) throw new CheckpointException(what + " must be an array of non-negative integers, got " + Json.write(l));
            out[i] = x;
        }
        return out;
    }

    private static void put(String name, Tensor t, ByteBuffer out) {
        double[] d = t.data();
        switch (t.dtype()) {
            case F32 -> { for (double v : d) out.putFloat((float) v); }
            case F64 -> { for (double v : d) out.putDouble(v); }
            case I32 -> { for (double v : d) out.putInt((int) whole(name, v, -0x1p31, 0x1p31)); }
            case I64 -> { for (double v : d) out.putLong(whole(name, v, -0x1p63, 0x1p63)); }
            case I8 -> { for (double v : d) out.put((byte) whole(name, v, -128, 128)); }
            case U8 -> { for (double v : d) out.put((byte) whole(name, v, 0, 256)); }
            case BOOL -> {
                for (double v : d) {
                    if (v != 0 && v != 1) throw new IllegalArgumentException("bool tensor '" + name + "' holds " + v + ", not 0 or 1");
                    out.put((byte) v);
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "': dtype " + t.dtype() + " cannot be stored (supported: f32, f64, i32, i64, i8, u8, bool)");
        }
    }

    /** {@code v} as a long when it is whole and in {@code [lo, hiExclusive)}. */
    private static long whole(String name, double v, double lo, double hiExclusive) {
        if (v != Math.rint(v) || v < lo || v >= hiExclusive)
            throw new IllegalArgumentException("integer tensor '" + name + "' holds " + v + ", which its dtype cannot represent");
        return (long) v;
    }

    private static Tensor get(Entry e, ByteBuffer b, int dataStart, String source) throws CheckpointException {
        int n = (int) ((e.end - e.begin) / width(e.name, e.dtype));
        double[] d = new double[n];
        int at = dataStart + (int) e.begin;
        for (int i = 0; i < n; i++) d[i] = switch (e.dtype) {
            case F32 -> b.getFloat(at + 4 * i);
            case F64 -> b.getDouble(at + 8 * i);
            case I32 -> b.getInt(at + 4 * i);
            case I64 -> b.getLong(at + 8 * i);
            case U8 -> b.get(at + i) & 0xFF;
            default -> b.get(at + i); // I8, BOOL
        };
        if (e.dtype == DType.BOOL)
            for (int i = 0; i < n; i++)
                if (d[i] != 0 && d[i] != 1) throw new CheckpointException(source + ": bool tensor '" + e.name + "' holds byte " + (int) d[i] + " at element " + i);
        return new Tensor(e.dtype, e.shape, d);
    }

    private static int width(String name, DType d) {
        return switch (d) {
            case F32, I32 -> 4;
            case F64, I64 -> 8;
            case BOOL, I8, U8 -> 1;
            default -> throw new IllegalArgumentException("tensor '" + name + "': dtype " + d + " cannot be stored (supported: f32, f64, i32, i64, i8, u8, bool)");
        };
    }

    private static String name(DType d) {
        return switch (d) {
            case F32 -> "F32";
            case F64 -> "F64";
            case I32 -> "I32";
            case I64 -> "I64";
            case I8 -> "I8";
            case U8 -> "U8";
            case BOOL -> "BOOL";
            default -> throw new IllegalArgumentException("dtype " + d + " cannot be stored");
        };
    }

    private static DType dtype(String s) {
        return switch (s) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    private static String sha256(byte[] bytes, int from, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, from, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }
}
