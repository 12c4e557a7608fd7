package dlc.data;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes NumPy {@code .npy} files as interpreter {@link Tensor}s (the CLI's inputs and
 * outputs) or as data set {@link Column}s (first axis = samples). The one .npy codec of dlc.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, C order, and the element types
 * {@code f4 f8 i1 i2 i4 i8 u1 u2 u4 b1} in either byte order; small integers read as {@code i32},
 * {@code u4} as {@code i64}. Writing produces
 * version 1.0, little endian, with the header padded so the data starts at a multiple of 64 bytes,
 * as NumPy does. Every failure is an {@link NpyException} whose message names the file and says
 * what is wrong; nothing else escapes for a malformed file.
 *
 * <p>Values travel through float64 (the interpreter's storage): {@code i8} values beyond 2^53 lose
 * precision, and {@code f16} tensors are written as {@code <f4} (widening is exact).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Data starts at a multiple of this many bytes (NumPy's alignment since 1.9 uses 64). */
    private static final int ALIGN = 64;

    private Npy() {}

    /** Element types of a .npy file that dlc understands, by their descr without byte order. */
    private enum Elem {
        F4("f4", 4, DType.F32), F8("f8", 8, DType.F64), I4("i4", 4, DType.I32), I8("i8", 8, DType.I64),
        B1("b1", 1, DType.BOOL), U1("u1", 1, DType.U8), I1("i1", 1, DType.I8), I2("i2", 2, DType.I32),
        U2("u2", 2, DType.I32), U4("u4", 4, DType.I64);

        final String code;
        final int size;
        final DType dtype;

        Elem(String code, int size, DType dtype) {
            this.code = code;
            this.size = size;
            this.dtype = dtype;
        }

        static Elem forDType(DType d) {
            return switch (d) {
                case F16, F32 -> F4;
                case F64 -> F8;
                case I32 -> I4;
                case I64 -> I8;
                case BOOL -> B1;
                case U8 -> U1;
                case I8 -> I1;
            };
        }
    }

    /** Reads a .npy file. */
    public static Tensor read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NpyException(file, "no such file");
        }
        return decode(file, bytes);
    }

    /** Decodes the bytes of a .npy file; {@code file} is used only in error messages. */
    public static Tensor decode(Path file, byte[] bytes) throws NpyException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 2) throw new NpyException(file, "not a .npy file (too short: " + bytes.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++)
            if (bytes[i] != MAGIC[i]) throw new NpyException(file, "not a .npy file (it does not start with \\x93NUMPY)");
        int major = bytes[6] & 0xff, minor = bytes[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0)
            throw new NpyException(file, "unsupported .npy format version " + major + "." + minor + " (dlc reads 1.0, 2.0 and 3.0)");
        int lenBytes = major == 1 ? 2 : 4;
        if (bytes.length < 8 + lenBytes) throw new NpyException(file, "truncated: the header length is missing");
        long headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : Integer.toUnsignedLong(buf.getInt(8));
        long dataStart = 8 + lenBytes + headerLen;
        if (dataStart > bytes.length)
            throw new NpyException(file, "truncated: the header says it is " + headerLen + " bytes, but the file has only " + (bytes.length - 8 - lenBytes) + " after the length");
        String text = new String(bytes, 8 + lenBytes, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        NpyHeader h;
        try {
            h = NpyHeader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new NpyException(file, e.getMessage());
        }
        if (h.fortranOrder())
            throw new NpyException(file, "Fortran-order arrays are not supported; save it with np.save(f, np.ascontiguousarray(a))");
        ByteOrder order = byteOrder(file, h.descr());
        Elem elem = elem(file, h.descr());
        int[] shape = new int[h.shape().length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            n *= h.shape()[i];
            if (h.shape()[i] > Integer.MAX_VALUE || n > Integer.MAX_VALUE)
                throw new NpyException(file, "array of shape " + shapeText(h.shape()) + " is too large (at most 2^31-1 elements)");
            shape[i] = (int) h.shape()[i];
        }
        long need = n * elem.size, have = bytes.length - dataStart;
        if (have < need)
            throw new NpyException(file, "truncated: shape " + shapeText(h.shape()) + " of " + h.descr() + " needs " + need + " bytes of data, the file has " + have);
        if (have > need)
            throw new NpyException(file, "has " + (have - need) + " unexpected bytes after the data of shape " + shapeText(h.shape()));

        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) need).slice().order(order);
        double[] values = new double[(int) n];
        for (int i = 0; i < values.length; i++)
            values[i] = switch (elem) {
                case F4 -> data.getFloat();
                case F8 -> data.getDouble();
                case I4 -> data.getInt();
                case I8 -> data.getLong();
                case B1 -> data.get() != 0 ? 1 : 0;
                case U1 -> data.get() & 0xff;
                case I1 -> data.get();
                case I2 -> data.getShort();
                case U2 -> Short.toUnsignedInt(data.getShort());
                case U4 -> Integer.toUnsignedLong(data.getInt());
            };
        return new Tensor(elem.dtype, shape, values);
    }

    /** Reads {@code file} as a data set column called {@code name} (floats become f32, integers i32). */
    public static Column readColumn(Path file, String name) throws IOException {
        return column(file, read(file), name);
    }

    /** Decodes .npy bytes as a column; {@code file} is used only in error messages. */
    public static Column decodeColumn(Path file, byte[] bytes, String name) throws DataException {
        return column(file, decode(file, bytes), name);
    }

    private static Column column(Path file, Tensor t, String name) throws DataException {
        try {
            return Column.fromTensor(name, t);
        } catch (IllegalArgumentException e) {
            throw new NpyException(file, e.getMessage());
        }
    }

    /** The bytes of a version 1.0 .npy file holding a column (shape {@code [N, sample...]}). */
    public static byte[] encode(Column c) { return encode(c.toTensor()); }

    /** Writes {@code t} as a version 1.0 .npy file, replacing any existing file. */
    public static void write(Path file, Tensor t) throws IOException {
        Files.write(file, encode(t));
    }

    /** The bytes of a version 1.0 .npy file holding {@code t}. */
    public static byte[] encode(Tensor t) {
        Elem elem = Elem.forDType(t.dtype());
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.dim(i);
        String descr = (elem.size == 1 ? "|" : "<") + elem.code;
        StringBuilder header = new StringBuilder(NpyHeader.format(descr, shape));
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        header.append(" ".repeat((ALIGN - unpadded % ALIGN) % ALIGN)).append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);

        double[] v = t.data();
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + h.length + v.length * elem.size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (double x : v)
            switch (elem) {
                case F4 -> out.putFloat((float) x);
                case F8 -> out.putDouble(x);
                case I4 -> out.putInt((int) x);
                case I8 -> out.putLong((long) x);
                case B1 -> out.put((byte) (x != 0 ? 1 : 0));
                case U1, I1 -> out.put((byte) x);
                default -> throw new IllegalStateException("dlc writes only f4, f8, i4, i8, u1, i1 and b1, not " + elem.code);
            }
        return out.array();
    }

    private static ByteOrder byteOrder(Path file, String descr) throws NpyException {
        if (descr.isEmpty()) throw new NpyException(file, "empty dtype descr");
        return switch (descr.charAt(0)) {
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN;
            default -> throw unsupported(file, descr);
        };
    }

    private static Elem elem(Path file, String descr) throws NpyException {
        String code = descr.substring(1);
        for (Elem e : Elem.values()) if (e.code.equals(code)) return e;
        throw unsupported(file, descr);
    }

    private static NpyException unsupported(Path file, String descr) {
        return new NpyException(file, "unsupported dtype '" + descr + "' (dlc reads f4, f8, i1, i2, i4, i8, u1, u2, u4 and b1; convert with a.astype(np.float32))");
    }

    private static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        return s.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
