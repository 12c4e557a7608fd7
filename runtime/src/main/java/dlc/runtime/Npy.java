package dlc.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy {@code .npy} files as runtime {@link Tensor}s, for model jars (their weights and their
 * command line). The runtime has no dependencies, so this is its own small codec.
 *
 * <p>Reads format 1.0 to 3.0, C order, either byte order, element types {@code f4 f8 i1 i2 i4 i8 u1
 * u2 u4 b1} (small integers read as i32, u4 as i64; f4 gives a {@code float[]}, everything else a
 * {@code double[]}). Writes format 1.0, little endian: f32 as {@code <f4}, f64 {@code <f8}, i32
 * {@code <i4}, i64 {@code <i8}, bool {@code |b1}, with the data aligned to 64 bytes as NumPy does.
 * A malformed file is an {@link IOException} saying what is wrong.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;

    private Npy() {}

    /** Reads one array from {@code in}, consuming exactly its bytes. */
    public static Tensor read(InputStream in) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8) throw new IOException("not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++)
            if (pre[i] != MAGIC[i]) throw new IOException("not a .npy file (it does not start with \\x93NUMPY)");
        int major = pre[6] & 0xff, minor = pre[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) throw new IOException("unsupported .npy format version " + major + "." + minor);
        byte[] len = in.readNBytes(major == 1 ? 2 : 4);
        ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? Short.toUnsignedInt(lb.getShort()) : Integer.toUnsignedLong(lb.getInt());
        byte[] header = in.readNBytes((int) headerLen);
        if (header.length < headerLen) throw new IOException("truncated .npy header");
        String text = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = field(text, "descr");
        if (field(text, "fortran_order").equals("True"))
            throw new IOException("Fortran-order arrays are not supported; save it with np.save(f, np.ascontiguousarray(a))");
        int[] shape = shape(field(text, "shape"));
        if (descr.length() < 3) throw new IOException("unsupported .npy element type '" + descr + "'");
        char bo = descr.charAt(0);
        ByteOrder order = bo == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String code = descr.substring(1);
        int size = switch (code) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8" -> 8;
            case "i2", "u2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new IOException("unsupported .npy element type '" + descr + "' (f4 f8 i1 i2 i4 i8 u1 u2 u4 b1 are)");
        };
        int n = Tensor.numel(shape);
        byte[] bytes = in.readNBytes(Math.multiplyExact(n, size));
        if (bytes.length < (long) n * size)
            throw new IOException("truncated: shape " + java.util.Arrays.toString(shape) + " of " + descr + " needs " + (long) n * size + " bytes of data, got " + bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        if (code.equals("f4")) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = b.getFloat();
            return new Tensor("f32", shape, f);
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++)
            d[i] = switch (code) {
                case "f8" -> b.getDouble();
                case "i8" -> b.getLong();
                case "i4" -> b.getInt();
                case "u4" -> Integer.toUnsignedLong(b.getInt());
                case "i2" -> b.getShort();
                case "u2" -> Short.toUnsignedInt(b.getShort());
                case "i1" -> b.get();
                case "u1" -> b.get() & 0xff;
                default -> b.get() != 0 ? 1 : 0; // b1
            };
        String dtype = switch (code) {
            case "f8" -> "f64";
            case "i8", "u4" -> "i64";
            case "b1" -> "bool";
            default -> "i32";
        };
        return new Tensor(dtype, shape, d);
    }

    /** Writes {@code t} as a version 1.0 .npy file. */
    public static void write(OutputStream out, Tensor t) throws IOException {
        String descr = switch (t.dtype()) {
            case "f32" -> "<f4";
            case "f64" -> "<f8";
            case "i32" -> "<i4";
            case "i64" -> "<i8";
            case "bool" -> "|b1";
            default -> throw new IOException("cannot write dtype " + t.dtype() + " to .npy");
        };
        StringBuilder shape = new StringBuilder("(");
        for (int s : t.shape()) shape.append(s).append(", ");
        if (t.shape().length > 1) shape.setLength(shape.length() - 2);
        else if (t.shape().length == 1) shape.setLength(shape.length() - 1); // (3,)
        shape.append(')');
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((10 + h.length() + 1) % ALIGN != 0) h.append(' ');
        h.append('\n');
        int n = t.numel(), size = descr.equals("|b1") ? 1 : Integer.parseInt(descr.substring(2));
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + n * size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            switch (descr) {
                case "<f4" -> b.putFloat((float) v);
                case "<f8" -> b.putDouble(v);
                case "<i4" -> b.putInt((int) v);
                case "<i8" -> b.putLong((long) v);
                default -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
        out.write(b.array());
    }

    /** The bytes of a .npy file holding {@code t}. */
    public static byte[] bytes(Tensor t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, t);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * {@code t} converted to {@code dtype} (a NumPy default float64 array given for an f32 input,
     * integer labels given as floats). Returns {@code t} itself when it already has that dtype.
     */
    public static Tensor cast(Tensor t, String dtype) {
        if (t.dtype().equals(dtype)) return t;
        int n = t.numel();
        if (dtype.equals("f32")) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = (float) t.get(i);
            return new Tensor(dtype, t.shape(), f);
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            d[i] = switch (dtype) {
                case "i32", "i64" -> v < 0 ? Math.ceil(v) : Math.floor(v); // C-style truncation, as numpy's astype
                case "bool" -> v != 0 ? 1 : 0;
                default -> v;
            };
        }
        return new Tensor(dtype, t.shape(), d);
    }

    /** The value text of {@code 'key': value} in a .npy header dict. */
    private static String field(String header, String key) throws IOException {
        int k = header.indexOf("'" + key + "'");
        if (k < 0) throw new IOException("malformed .npy header (no '" + key + "'): " + header.strip());
        int colon = header.indexOf(':', k);
        int i = colon + 1;
        while (i < header.length() && header.charAt(i) == ' ') i++;
        if (i >= header.length()) throw new IOException("malformed .npy header: " + header.strip());
        char c = header.charAt(i);
        int end;
        if (c == '\'' || c == '"') {
            end = header.indexOf(c, i + 1);
            if (end < 0) throw new IOException("malformed .npy header: " + header.strip());
            return header.substring(i + 1, end);
        }
        if (c == '(') {
            end = header.indexOf(')', i);
            if (end < 0) throw new IOException("malformed .npy header: " + header.strip());
            return header.substring(i, end + 1);
        }
        end = i;
        while (end < header.length() && Character.isLetterOrDigit(header.charAt(end))) end++;
        return header.substring(i, end);
    }

    private static int[] shape(String tuple) throws IOException {
        String inner = tuple.substring(1, tuple.length() - 1).trim();
        List<Integer> dims = new ArrayList<>();
        for (String p : inner.split(",")) {
            String s = p.trim();
            if (s.isEmpty()) continue;
            if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
            try {
                long v = Long.parseLong(s);
                if (v < 0 || v > Integer.MAX_VALUE) throw new IOException("shape " + tuple + " is out of range");
                dims.add((int) v);
            } catch (NumberFormatException e) {
                throw new IOException("malformed .npy shape " + tuple);
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
