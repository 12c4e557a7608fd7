package dlc.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors files {@code dlc train} writes, read and written by the runtime alone (a model jar
 * carries no other library): an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to its dtype, shape and data offsets plus a {@code __metadata__} string map, then the
 * raw little-endian data. Like dlc's checkpoints, the SHA-256 of the data section is stored as
 * metadata {@value #SHA256_KEY} and checked on reading, and the header is padded to 8 bytes.
 */
public final class SafeTensorsFile {
    /** Metadata key of the data section's SHA-256 (hex). */
    public static final String SHA256_KEY = "dlc.sha256";
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensorsFile() {}

    /** A file's tensors (in file order) and metadata (without the hash). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Writes {@code tensors} and {@code metadata} to {@code file} through a temporary file beside it, so a failed write leaves no partial file. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        long length = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) length += (long) e.getValue().numel() * width(e.getKey(), e.getValue().dtype());
        if (length > Integer.MAX_VALUE - (1 << 20)) throw new IllegalArgumentException("weights of " + length + " bytes exceed 2 GiB");
        ByteBuffer data = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder entries = new StringBuilder();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long begin = data.position();
            for (int i = 0; i < t.numel(); i++) put(e.getKey(), t.dtype(), t.get(i), data);
            entries.append(',').append(quote(e.getKey())).append(":{\"dtype\":").append(quote(t.dtype().toUpperCase()))
                    .append(",\"shape\":[");
            for (int d = 0; d < t.shape().length; d++) entries.append(d > 0 ? "," : "").append(t.shape()[d]);
            entries.append("],\"data_offsets\":[").append(begin).append(',').append(data.position()).append("]}");
        }
        StringBuilder json = new StringBuilder("{\"__metadata__\":{");
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(SHA256_KEY, sha256(data.array(), 0, data.capacity()));
        boolean first = true;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            first = false;
        }
        json.append('}').append(entries).append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 8 + 7) / 8 * 8 - 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) out.put((byte) ' ');
        out.put(data.array());
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new IOException("cannot write " + file + ": directory " + parent + " does not exist");
        Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, out.array());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads {@code file}; an IOException naming the file and the problem when it is not a valid safetensors file or its hash does not match. */
    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) throw new IOException(file + ": truncated (" + bytes.length + " bytes): not a safetensors file");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > bytes.length - 8L) throw new IOException(file + ": bad header length " + n + " (not a safetensors file?)");
        int start = 8 + (int) n;
        Object parsed;
        try {
            parsed = new Json(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).document();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad header: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> header)) throw new IOException(file + ": bad header: not a JSON object");
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long dataLength = bytes.length - (long) start, covered = 0;
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new IOException(file + ": __metadata__ is not an object");
                m.forEach((k, v) -> meta.put((String) k, String.valueOf(v)));
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> entry) || !(entry.get("dtype") instanceof String dt) || !(entry.get("shape") instanceof List<?> sh)
                    || !(entry.get("data_offsets") instanceof List<?> off) || off.size() != 2)
                throw new IOException(file + ": tensor '" + name + "' lacks dtype, shape or data_offsets");
            String dtype = dt.toLowerCase();
            int w = width(name, dtype);
            int[] shape = new int[sh.size()];
            for (int d = 0; d < shape.length; d++) shape[d] = (int) (double) (Double) sh.get(d);
            long begin = (long) (double) (Double) off.get(0), end = (long) (double) (Double) off.get(1);
            int numel = Tensor.numel(shape);
            if (begin < 0 || end > dataLength || end - begin != (long) numel * w)
                throw new IOException(file + ": tensor '" + name + "' has data offsets [" + begin + ", " + end + "] that do not fit its shape or the file");
            covered += end - begin;
            Object data = dtype.equals("f32") ? new float[numel] : new double[numel];
            for (int i = 0; i < numel; i++) {
                int at = start + (int) begin + i * w;
                double v = switch (dtype) {
                    case "f32" -> b.getFloat(at);
                    case "f64" -> b.getDouble(at);
                    case "i32" -> b.getInt(at);
                    case "i64" -> b.getLong(at);
                    case "u8", "bool" -> b.get(at) & 0xFF;
                    default -> b.get(at); // i8
                };
                if (data instanceof float[] f) f[i] = (float) v;
                else ((double[]) data)[i] = v;
            }
            tensors.put(name, new Tensor(dtype, shape, data));
        }
        if (covered != dataLength) throw new IOException(file + ": the data section has " + dataLength + " bytes, the tensors cover " + covered);
        String hash = meta.remove(SHA256_KEY);
        if (hash != null && !hash.equalsIgnoreCase(sha256(bytes, start, (int) dataLength)))
            throw new IOException(file + ": data is corrupted: its SHA-256 does not match the header's");
        return new Contents(tensors, meta);
    }

    private static int width(String name, String dtype) {
        return switch (dtype) {
            case "f32", "i32" -> 4;
            case "f64", "i64" -> 8;
            case "bool", "i8", "u8" -> 1;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has dtype " + dtype + ", which safetensors files of dlc do not hold");
        };
    }

    private static void put(String name, String dtype, double v, ByteBuffer out) {
        switch (dtype) {
            case "f32" -> out.putFloat((float) v);
            case "f64" -> out.putDouble(v);
            case "i32" -> out.putInt((int) v);
            case "i64" -> out.putLong((long) v);
            case "bool" -> out.put((byte) (v != 0 ? 1 : 0));
            default -> out.put((byte) v);
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
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

    /** A minimal JSON reader for safetensors headers: objects (ordered), arrays, strings, numbers (as Double), true/false/null. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) { this.s = s.strip(); }

        Object document() {
            Object v = value();
            if (i != s.length()) throw new IllegalArgumentException("unexpected text at offset " + i);
            return v;
        }

        private Object value() {
            skip();
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end");
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (peek('}')) return m;
                do {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, value());
                    skip();
                } while (next(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (peek(']')) return l;
                do l.add(value()); while (skipThen(','));
                skip();
                expect(']');
                return l;
            }
            if (c == '"') return string();
            for (String w : new String[]{"true", "false", "null"})
                if (s.startsWith(w, i)) {
                    i += w.length();
                    return w.equals("null") ? null : Boolean.valueOf(w);
                }
            int from = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (from == i) throw new IllegalArgumentException("unexpected '" + c + "' at offset " + i);
            return Double.parseDouble(s.substring(from, i));
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c != '\\') { sb.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> { sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> sb.append(e);
                }
            }
            expect('"');
            return sb.toString();
        }

        private void skip() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        private boolean peek(char c) { if (i < s.length() && s.charAt(i) == c) { i++; return true; } return false; }
        private boolean next(char c) { skip(); return peek(c); }
        private boolean skipThen(char c) { skip(); return peek(c); }
        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
            i++;
        }
    }
}
