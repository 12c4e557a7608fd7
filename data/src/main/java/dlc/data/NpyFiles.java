package dlc.data;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * NumPy {@code .npy} files as interpreter {@link Tensor}s (the CLI's inputs and outputs) or as data
 * set {@link Column}s (first axis = samples). Not a codec: every byte is read and written by
 * {@link dlc.runtime.Npy}, the one strict .npy reader and writer of dlc (model jars carry it), so
 * that {@code dlc run}, {@code dlc train} and a model jar accept and refuse exactly the same files.
 * This class converts between the runtime's storage and the interpreter's float64 one, and names
 * the file in every error: a malformed file is a {@link DataException} saying which file and what
 * is wrong, and nothing else escapes.
 *
 * <p>Values travel through float64 (the interpreter's storage): {@code i8} values beyond 2^53 lose
 * precision, and {@code f16} tensors are written as {@code <f4} (widening is exact).
 */
public final class NpyFiles {
    private NpyFiles() {}

    /** Reads a .npy file. */
    public static Tensor read(Path file) throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) throw failure(file, size + " bytes is too large for one .npy file (at most 2 GiB)");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw failure(file, "no such file");
        }
        return decode(file, bytes);
    }

    /** Decodes the bytes of a .npy file; {@code file} is used only in error messages. */
    public static Tensor decode(Path file, byte[] bytes) throws DataException {
        dlc.runtime.Tensor t;
        try {
            t = dlc.runtime.Npy.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw failure(file, e.getMessage());
        }
        DType dtype = DType.fromText(t.dtype());
        if (dtype == null) throw failure(file, "dtype " + t.dtype() + " is not one of the language's");
        double[] values;
        if (t.data() instanceof float[] f) {
            values = new double[f.length];
            for (int i = 0; i < f.length; i++) values[i] = f[i];
        } else {
            values = t.doubles();
        }
        return new Tensor(dtype, t.shape(), values);
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
            throw failure(file, e.getMessage());
        }
    }

    /** The bytes of a version 1.0 .npy file holding a column (shape {@code [N, sample...]}). */
    public static byte[] encode(Column c) { return encode(c.toTensor()); }

    /** Writes {@code t} as a version 1.0 .npy file, replacing any existing file. */
    public static void write(Path file, Tensor t) throws IOException {
        Files.write(file, encode(t));
    }

    /** The bytes of a version 1.0 .npy file holding {@code t} (f16 widened to f4). */
    public static byte[] encode(Tensor t) {
        double[] v = t.data();
        boolean floats = t.dtype() == DType.F32 || t.dtype() == DType.F16;
        Object data = v;
        if (floats) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            data = f;
        }
        return dlc.runtime.Npy.bytes(new dlc.runtime.Tensor(floats ? "f32" : t.dtype().text(), t.shape(), data));
    }

    /** A failure naming the file: "FILE: problem". */
    private static DataException failure(Path file, String problem) {
        return new DataException(file + ": " + problem);
    }
}
