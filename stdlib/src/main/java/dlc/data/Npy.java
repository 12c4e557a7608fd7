package dlc.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1.0 to 3.0) as {@link Column}s, the first axis being the
 * sample axis. Layout: magic {@code \x93NUMPY}, major and minor version bytes, the header length
 * (little-endian u16 in 1.0, u32 in 2.0 and 3.0), a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, ...), }}, then the raw data.
 * Floating types ({@code f4}, {@code f8}) become f32 columns (f8 is rounded); integer and bool types
 * ({@code i1 i2 i4 i8 u1 u2 u4 b1}) become i32 columns (values must fit). Either byte order is read;
 * Fortran order is rejected with a clear error.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiub])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads {@code file} as a column called {@code name}. */
    public static Column read(Path file, String name) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataException(file + ": no such .npy file");
        return decode(Files.readAllBytes(file), file.toString(), name);
    }

    /** Decodes .npy bytes; {@code source} names them in errors. */
    public static Column decode(byte[] b, String source, String name) throws DataException {
        if (b.length < 10 || !Arrays.equals(Arrays.copyOf(b, 6), MAGIC)) throw new DataException(source + ": not a .npy file (missing the \\x93NUMPY magic)");
        int major = b[6];
        if (major < 1 || major > 3) throw new DataException(source + ": unsupported .npy format version " + major + "." + b[7]);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int lengthBytes = major == 1 ? 2 : 4;
        if (b.length < 8 + lengthBytes) throw new DataException(source + ": truncated .npy header");
        long headerLength = major == 1 ? buf.getShort(8) & 0xFFFF : buf.getInt(8) & 0xFFFFFFFFL;
        int dataStart = 8 + lengthBytes;
        if (headerLength > b.length - dataStart) throw new DataException(source + ": truncated .npy header: needs " + headerLength + " bytes");
        String header = new String(b, dataStart, (int) headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        dataStart += (int) headerLength;

        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find()) throw new DataException(source + ": .npy header has no supported 'descr' (want e.g. '<f4', '<i8', '|u1'): " + header.strip());
        if (!f.find() || !s.find()) throw new DataException(source + ": .npy header lacks 'fortran_order' or 'shape': " + header.strip());
        if (f.group(1).equals("True")) throw new DataException(source + ": Fortran-order .npy arrays are not supported; save with C order");
        char kind = d.group(2).charAt(0);
        int width = Integer.parseInt(d.group(3));
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        boolean ok = switch (kind) {
            case 'f' -> width == 4 || width == 8;
            case 'i' -> width == 1 || width == 2 || width == 4 || width == 8;
            case 'u' -> width == 1 || width == 2 || width == 4;
            default -> width == 1; // b1
        };
        if (!ok) throw new DataException(source + ": unsupported .npy dtype '" + d.group(1) + kind + width + "'");
        int[] shape = shape(s.group(1), source);
        if (shape.length == 0) throw new DataException(source + ": a 0-d .npy array has no sample axis");
        long count = 1;
        for (int x : shape) count *= x;
        long expected = count * width, actual = b.length - (long) dataStart;
        if (actual != expected)
            throw new DataException(source + ": " + (actual < expected ? "truncated .npy data" : "unexpected bytes after the .npy data") + ": shape "
                    + Arrays.toString(shape) + " of " + kind + width + " needs " + expected + " bytes, file has " + actual);
        ByteBuffer data = ByteBuffer.wrap(b, dataStart, (int) expected).slice().order(order);
        int n = (int) count;
        int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
        for (int x : sample) if (x == 0) throw new DataException(source + ": .npy shape " + Arrays.toString(shape) + " has empty samples");
        if (kind == 'f') {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) out[i] = width == 4 ? data.getFloat(4 * i) : (float) data.getDouble(8 * i);
            return Column.floats(name, out, sample);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = switch (width) {
                case 1 -> kind == 'i' ? data.get(i) : data.get(i) & 0xFF;
                case 2 -> kind == 'i' ? data.getShort(2 * i) : data.getShort(2 * i) & 0xFFFF;
                case 4 -> kind == 'i' ? data.getInt(4 * i) : data.getInt(4 * i) & 0xFFFFFFFFL;
                default -> data.getLong(8 * i);
            };
            if (v != (int) v) throw new DataException(source + ": element " + i + " = " + v + " does not fit in i32");
            out[i] = (int) v;
        }
        return Column.ints(name, out, sample);
    }

    private static int[] shape(String tuple, String source) throws DataException {
        List<Integer> dims = new ArrayList<>();
        for (String part : tuple.split(",")) {
            String t = part.strip().replaceFirst("L$", "");
            if (t.isEmpty()) continue;
            try {
                int v = Integer.parseInt(t);
                if (v < 0) throw new NumberFormatException();
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new DataException(source + ": bad .npy shape (" + tuple + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The .npy (version 1.0, little-endian, C order) bytes of a column: {@code <f4} or {@code <i4}. */
    public static byte[] encode(Column c) {
        int[] dims = c.shape();
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) shape.append(i > 0 ? ", " : "").append(dims[i]);
        shape.append(dims.length == 1 ? ",)" : ")"); // Python's one-element tuple
        String dict = "{'descr': '" + (c.isFloat() ? "<f4" : "<i4") + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n"; // numpy aligns the data to 64 bytes
        int n = c.size() * c.sampleSize();
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        if (c.isFloat()) for (float v : c.floats()) b.putFloat(v);
        else for (int v : c.ints()) b.putInt(v);
        return b.array();
    }

    /** Writes a column as a .npy file. */
    public static void write(Path file, Column c) throws IOException { Files.write(file, encode(c)); }
}
