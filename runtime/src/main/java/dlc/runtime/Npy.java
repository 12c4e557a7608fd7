package dlc.runtime;

import dlc.numerics.Ints;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * NumPy {@code .npy} files as runtime {@link Tensor}s: the one .npy codec of dlc. Model jars use it
 * for their weights and their command line, and the compiler's data and CLI code
 * ({@code dlc.data.NpyFiles}) decodes through it, so every tool accepts and refuses the same files.
 * The runtime has no dependencies, so it lives here.
 *
 * <p>Reading is strict, as NumPy's own reader is: format 1.0 to 3.0, the header dict with exactly
 * the keys {@code descr}, {@code fortran_order} and {@code shape} ({@link NpyHeader}), C order,
 * either byte order, an element type of {@link Elem} and exactly the data the shape needs (no
 * trailing bytes). Writing produces format 1.0, little endian: f32 as {@code <f4}, f64 {@code <f8},
 * i32 {@code <i4}, i64 {@code <i8}, bool {@code |b1}, with the data aligned to 64 bytes as NumPy does.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Data starts at a multiple of this many bytes (NumPy's alignment since 1.9 uses 64). */
    private static final int ALIGN = 64;

    private Npy() {}

    /**
     * The element types a .npy file may hold, by NumPy type code (descr without byte order), and
     * the dtype each reads as: the one table of the mapping. f4 gives a {@code float[]}, everything
     * else a {@code double[]}; u1 and i1 read as the language's u8 and i8, the other small integers
     * as i32, u4 as i64 (it does not fit i32).
     */
    public enum Elem {
        F4("f4", 4, "f32"), F8("f8", 8, "f64"), I4("i4", 4, "i32"), I8("i8", 8, "i64"), B1("b1", 1, "bool"),
        U1("u1", 1, "u8"), I1("i1", 1, "i8"), I2("i2", 2, "i32"), U2("u2", 2, "i32"), U4("u4", 4, "i64");

        /** NumPy's type code, e.g. {@code f4}. */
        public final String code;
        /** Bytes per element. */
        public final int size;
        /** The dtype the values read as. */
        public final String dtype;

        Elem(String code, int size, String dtype) {
            this.code = code;
            this.size = size;
            this.dtype = dtype;
        }

        /** The element type for type code {@code code}, or null. */
        public static Elem ofCode(String code) {
            for (Elem e : values()) if (e.code.equals(code)) return e;
            return null;
        }

        /** The element type a tensor of {@code dtype} is written as (f16 widens to f4); null for none. */
        public static Elem forWriting(String dtype) {
            return switch (dtype) {
                case "f16", "f32" -> F4;
                case "f64" -> F8;
                case "i32" -> I4;
                case "i64" -> I8;
                case "bool" -> B1;
                case "u8" -> U1;
                case "i8" -> I1;
                default -> null;
            };
        }

        /** The codes, for messages: {@code f4, f8, ...}. */
        static String codes() {
            StringBuilder sb = new StringBuilder();
            for (Elem e : values()) sb.append(sb.length() > 0 ? ", " : "").append(e.code);
            return sb.toString();
        }
    }

    /** Reads one whole .npy file; a malformed one is an IOException saying what is wrong. */
    public static Tensor read(InputStream in) throws IOException {
        try {
            return decode(in.readAllBytes());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Reads {@code file}; a malformed file is an IOException saying what is wrong (without the file name). */
    public static Tensor read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new IOException("a .npy file of " + size + " bytes is too large (at most 2 GiB)");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /**
     * Decodes the bytes of a whole .npy file.
     *
     * @throws IllegalArgumentException saying what is wrong, for anything but a well-formed .npy file
     *                                  of a supported element type
     */
    public static Tensor decode(byte[] bytes) {
        if (bytes.length < MAGIC.length + 2) throw new IllegalArgumentException("not a .npy file (too short: " + bytes.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++)
            if (bytes[i] != MAGIC[i]) throw new IllegalArgumentException("not a .npy file (it does not start with \\x93NUMPY)");
        int major = bytes[6] & 0xff, minor = bytes[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0)
            throw new IllegalArgumentException("unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are)");
        int lenBytes = major == 1 ? 2 : 4;
        if (bytes.length < 8 + lenBytes) throw new IllegalArgumentException("truncated: the header length is missing");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : Integer.toUnsignedLong(buf.getInt(8));
        long dataStart = 8 + lenBytes + headerLen;
        if (dataStart > bytes.length)
            throw new IllegalArgumentException("truncated: the header says it is " + headerLen + " bytes, but the file has only " + (bytes.length - 8 - lenBytes) + " after the length");
        NpyHeader h = NpyHeader.parse(headerText(bytes, 8 + lenBytes, (int) headerLen, major));
        if (h.descr() == null) throw new IllegalArgumentException("unsupported dtype: a structured dtype (" + Elem.codes() + " are supported)");
        if (h.fortranOrder())
            throw new IllegalArgumentException("Fortran-order arrays are not supported; save it with np.save(f, np.ascontiguousarray(a))");
        ByteOrder order = byteOrder(h.descr());
        Elem elem = h.descr().length() < 2 ? null : Elem.ofCode(h.descr().substring(1));
        if (elem == null) throw unsupported(h.descr());
        int[] shape = new int[h.shape().length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = h.shape()[i];
            if (d > Integer.MAX_VALUE) throw new IllegalArgumentException("array of shape " + shapeText(h.shape()) + " is too large (a dim is at most 2^31-1)");
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("array of shape " + shapeText(h.shape()) + " is too large (at most 2^31-1 elements)");
            shape[i] = (int) d;
        }
        long need = n * elem.size, have = bytes.length - dataStart;
        if (have < need)
            throw new IllegalArgumentException("truncated: shape " + shapeText(h.shape()) + " of " + h.descr() + " needs " + need + " bytes of data, the file has " + have);
        if (have > need)
            throw new IllegalArgumentException("has " + (have - need) + " unexpected bytes after the data of shape " + shapeText(h.shape()));
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) need).slice().order(order);
        if (elem == Elem.F4) {
            float[] f = new float[(int) n];
            for (int i = 0; i < f.length; i++) f[i] = data.getFloat();
            return new Tensor(elem.dtype, shape, f);
        }
        double[] d = new double[(int) n];
        for (int i = 0; i < d.length; i++)
            d[i] = switch (elem) {
                case F8 -> data.getDouble();
                case I4 -> data.getInt();
                case I8 -> data.getLong();
                case B1 -> data.get() != 0 ? 1 : 0;
                case U1 -> data.get() & 0xff;
                case I1 -> data.get();
                case I2 -> data.getShort();
                case U2 -> Short.toUnsignedInt(data.getShort());
                case U4 -> Integer.toUnsignedLong(data.getInt());
                case F4 -> throw new AssertionError("f4 is read above");
            };
        return new Tensor(elem.dtype, shape, d);
    }

    /** The header's text: Latin-1 in format 1 and 2, UTF-8 (checked) in format 3. */
    private static String headerText(byte[] bytes, int offset, int length, int major) {
        if (major < 3) return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the format 3.0 header is not valid UTF-8");
        }
    }

    private static ByteOrder byteOrder(String descr) {
        if (descr.isEmpty()) throw new IllegalArgumentException("empty dtype descr");
        return switch (descr.charAt(0)) {
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN;
            default -> throw unsupported(descr);
        };
    }

    private static IllegalArgumentException unsupported(String descr) {
        return new IllegalArgumentException("unsupported dtype '" + descr + "' (" + Elem.codes() + " are; convert with a.astype(np.float32))");
    }

    private static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Writes {@code t} as a version 1.0 .npy file. */
    public static void write(OutputStream out, Tensor t) throws IOException {
        try {
            out.write(bytes(t));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The bytes of a version 1.0 .npy file holding {@code t}; IllegalArgumentException for a dtype .npy cannot hold. */
    public static byte[] bytes(Tensor t) {
        Elem elem = Elem.forWriting(t.dtype());
        if (elem == null) throw new IllegalArgumentException("cannot write dtype " + t.dtype() + " to .npy");
        String descr = (elem.size == 1 ? "|" : "<") + elem.code;
        int n = t.numel();
        ByteBuffer b = started(descr, t.shape(), (long) n * elem.size, "a " + t + " tensor");
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            switch (elem) {
                case F4 -> b.putFloat((float) v);
                case F8 -> b.putDouble(v);
                case I4 -> b.putInt((int) v);
                case I8 -> b.putLong((long) v);
                case B1 -> b.put((byte) (v != 0 ? 1 : 0));
                case U1, I1 -> b.put((byte) (long) v);
                default -> throw new IllegalArgumentException("dlc writes only f4, f8, i4, i8, u1, i1 and b1, not " + elem.code);
            }
        }
        return b.array();
    }

    /**
     * A little-endian buffer sized for a version 1.0 .npy file of {@code dataBytes} data bytes, its
     * magic and 64-byte aligned header for {@code descr} and {@code shape} written, positioned at
     * the data; IllegalArgumentException naming {@code what} when the file would not fit in an array.
     */
    static ByteBuffer started(String descr, int[] shape, long dataBytes, String what) {
        StringBuilder h = new StringBuilder(NpyHeader.format(descr, shape));
        int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
        h.append(" ".repeat((ALIGN - unpadded % ALIGN) % ALIGN)).append('\n');
        long total = MAGIC.length + 4L + h.length() + dataBytes;
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(what + " is too large for one .npy file held in memory (" + total + " bytes)");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        return b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
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
        boolean fromInteger = !t.dtype().startsWith("f");
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            d[i] = switch (dtype) {
                // the language's cast: integers wrap (numpy's astype), floats truncate toward zero and saturate
                case "i32" -> Ints.cast(v, fromInteger, Ints.I32);
                case "i64" -> Ints.cast(v, fromInteger, Ints.I64);
                case "u8" -> Ints.cast(v, fromInteger, Ints.U8);
                case "i8" -> Ints.cast(v, fromInteger, Ints.I8);
                case "bool" -> v != 0 ? 1 : 0;
                default -> v;
            };
        }
        return new Tensor(dtype, t.shape(), d);
    }
}
