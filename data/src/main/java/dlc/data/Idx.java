package dlc.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: magic {@code 00 00 TT NN} (TT = element type, NN = number
 * of dimensions), NN big-endian int32 dimensions, then the big-endian elements in row-major order.
 * Files may be gzipped; that is detected from the gzip magic bytes {@code 1f 8b}, not from the name.
 * Reading validates everything and reports the file and what is wrong in a {@link DataException}.
 */
public final class Idx {
    private Idx() {}

    /** IDX element types with their type codes and byte widths. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        final int code, width;

        Type(int code, int width) {
            this.code = code;
            this.width = width;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** A decoded IDX array: element type, dimensions, and the big-endian element bytes. */
    public record Array(Type type, int[] dims, ByteBuffer data) {
        /** Number of elements. */
        public int size() { return data.capacity() / type.width; }

        /** All elements as floats (ubyte as 0..255). */
        public float[] floats() {
            int n = size();
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) out[i] = switch (type) {
                case UBYTE -> b.get(i) & 0xFF;
                case BYTE -> b.get(i);
                case SHORT -> b.getShort(2 * i);
                case INT -> b.getInt(4 * i);
                case FLOAT -> b.getFloat(4 * i);
                case DOUBLE -> (float) b.getDouble(8 * i);
            };
            return out;
        }

        /** All elements as ints; only for the integer types. */
        public int[] ints() {
            if (type == Type.FLOAT || type == Type.DOUBLE)
                throw new IllegalStateException("IDX array of " + type + " elements cannot be read as integers");
            int n = size();
            int[] out = new int[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) out[i] = switch (type) {
                case UBYTE -> b.get(i) & 0xFF;
                case BYTE -> b.get(i);
                case SHORT -> b.getShort(2 * i);
                default -> b.getInt(4 * i);
            };
            return out;
        }
    }

    /** Reads and validates an IDX file, gzipped or not. */
    public static Array read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataException(file + ": no such IDX file");
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes IDX bytes (gzipped or not); {@code source} names the origin in error messages. */
    public static Array decode(byte[] bytes, String source) throws DataException {
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1f && (bytes[1] & 0xFF) == 0x8b) bytes = gunzip(bytes, source);
        if (bytes.length < 4) throw new DataException(source + ": not an IDX file: " + bytes.length + " bytes, shorter than the 4-byte magic");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataException(source + ": not an IDX file: magic starts with " + hex(bytes[0]) + " " + hex(bytes[1]) + ", expected 00 00");
        Type type = Type.of(bytes[2] & 0xFF);
        if (type == null)
            throw new DataException(source + ": unknown IDX element type " + hex(bytes[2]) + " (expected 08, 09, 0b, 0c, 0d or 0e)");
        int rank = bytes[3] & 0xFF;
        if (rank == 0) throw new DataException(source + ": IDX file declares 0 dimensions");
        int headerLength = 4 + 4 * rank;
        if (bytes.length < headerLength)
            throw new DataException(source + ": truncated IDX header: " + rank + " dimensions need " + headerLength + " bytes, file has " + bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = b.getInt(4 + 4 * i);
            if (dims[i] < 0) throw new DataException(source + ": IDX dimension " + i + " is negative (" + dims[i] + ")");
            count *= dims[i];
            if (count * type.width > Integer.MAX_VALUE)
                throw new DataException(source + ": IDX dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "... exceed 2 GiB of data");
        }
        long expected = count * type.width, actual = bytes.length - (long) headerLength;
        if (actual < expected)
            throw new DataException(source + ": truncated IDX data: dimensions " + Arrays.toString(dims) + " of " + type + " need " + expected
                    + " bytes, file has " + actual);
        if (actual > expected)
            throw new DataException(source + ": " + (actual - expected) + " unexpected bytes after the IDX data (dimensions "
                    + Arrays.toString(dims) + " of " + type + " need " + expected + " bytes)");
        ByteBuffer data = ByteBuffer.wrap(bytes, headerLength, (int) expected).slice();
        return new Array(type, dims, data);
    }

    /** Encodes values as an IDX file of the given type and dimensions (values are cast to the type). */
    public static byte[] encode(Type type, int[] dims, double[] values) {
        long n = 1;
        for (int d : dims) n *= d;
        if (n != values.length) throw new IllegalArgumentException("IDX dimensions " + Arrays.toString(dims) + " need " + n + " values, got " + values.length);
        if (dims.length == 0 || dims.length > 255) throw new IllegalArgumentException("IDX needs 1 to 255 dimensions, got " + dims.length);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + values.length * type.width).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) 0).put((byte) type.code).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        for (double v : values) switch (type) {
            case UBYTE, BYTE -> b.put((byte) (int) v);
            case SHORT -> b.putShort((short) (int) v);
            case INT -> b.putInt((int) v);
            case FLOAT -> b.putFloat((float) v);
            case DOUBLE -> b.putDouble(v);
        }
        return b.array();
    }

    /** Writes an IDX file, gzipped when {@code gzip}. */
    public static void write(Path file, Type type, int[] dims, double[] values, boolean gzip) throws IOException {
        byte[] bytes = encode(type, dims, values);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    /**
     * Inflates gzipped IDX bytes, no further than the IDX header inside says the file is (plus one
     * byte, to report extra data): a small gzip file that inflates to gigabytes (a "gzip bomb") is a
     * clear error after reading the declared size, not an OutOfMemoryError.
     */
    private static byte[] gunzip(byte[] bytes, String source) throws DataException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) return magic; // decode reports the short file
            int rank = magic[3] & 0xFF;
            byte[] dimBytes = in.readNBytes(4 * rank);
            if (dimBytes.length < 4 * rank) return concat(magic, dimBytes, new byte[0]);
            int width = Type.of(magic[2] & 0xFF) == null ? 1 : Type.of(magic[2] & 0xFF).width;
            ByteBuffer d = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
            long declared = width;
            for (int i = 0; i < rank; i++) {
                declared *= Math.max(0, d.getInt(4 * i));
                if (declared > Integer.MAX_VALUE - 8 - 4 - 4L * rank)
                    throw new DataException(source + ": the IDX header inside the gzip data declares more than 2 GiB of elements");
            }
            byte[] data = in.readNBytes((int) declared);
            if (data.length == declared && in.read() >= 0)
                throw new DataException(source + ": the gzip data inflates past the " + declared + " bytes of elements its IDX header declares "
                        + "(dimensions " + dimsText(d, rank) + "); the file is corrupt or not what it claims");
            return concat(magic, dimBytes, data);
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw new DataException(source + ": corrupt or truncated gzip data: " + e.getMessage(), e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }

    private static String dimsText(ByteBuffer d, int rank) {
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = d.getInt(4 * i);
        return Arrays.toString(dims);
    }

    private static String hex(byte b) { return String.format("%02x", b & 0xFF); }
}
