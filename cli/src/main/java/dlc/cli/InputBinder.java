package dlc.cli;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.ShapeException;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;

import java.util.*;

/**
 * Binds the symbolic dims of a graph's inputs to sizes, from three sources in order of priority:
 * {@code --dim} and {@code --batch} (explicit), then the shapes of the tensors the user gave, then
 * the default batch size for {@code B}. Every mismatch is a {@link UserError} that names the input,
 * its declared type, and where the conflicting size came from.
 */
final class InputBinder {
    /** The dim a model's batch axis is conventionally called. */
    static final String BATCH = "B";

    private final Map<String, Long> dims = new LinkedHashMap<>();
    private final Map<String, String> origin = new HashMap<>();

    /** @param batch the value of {@code --batch}, or null when not given */
    InputBinder(Map<String, Long> explicitDims, Integer batch) {
        explicitDims.forEach((sym, v) -> {
            if (v < 0) throw new UserError("--dim " + sym + "=" + v + ": a dim cannot be negative", UserError.USAGE);
            bindNew(sym, v, "--dim " + sym + "=" + v);
        });
        if (batch != null) {
            if (batch < 0) throw new UserError("--batch " + batch + ": a batch size cannot be negative", UserError.USAGE);
            Long prev = dims.get(BATCH);
            if (prev != null && prev.longValue() != batch)
                throw new UserError("--batch " + batch + " contradicts --dim B=" + prev, UserError.USAGE);
            bindNew(BATCH, batch, "--batch " + batch);
        }
    }

    /** The sizes bound so far, by symbol. */
    Map<String, Long> dims() { return Collections.unmodifiableMap(dims); }

    /**
     * Checks a user-given tensor against the input it is for and binds the input's plain symbols
     * (a dim that is just {@code T}) to the tensor's sizes; returns the tensor with the declared dtype.
     *
     * @param source where the tensor came from, for messages (a file name)
     */
    Tensor bindGiven(Value input, Tensor t, String source) {
        DType want = input.type().dtype();
        if (!compatible(want, t.dtype()))
            throw new UserError("input '" + input.name() + "' is " + input.type() + ", but " + source + " holds " + t.dtype()
                    + " values; convert it (for example a.astype(np." + numpyName(want) + "))");
        Shape s = input.type().shape();
        int[] actual = t.shape();
        if (actual.length != s.rank()) throw shapeError(input, actual, source, "");
        // plain symbols bind first, so compound dims such as 4*H can then be checked against them
        for (int i = 0; i < actual.length; i++) {
            String sym = plainSymbol(s.dim(i));
            if (sym == null) continue;
            Long prev = dims.get(sym);
            if (prev == null) bindNew(sym, actual[i], "input '" + input.name() + "' from " + source);
            else if (prev != actual[i])
                throw shapeError(input, actual, source, " (" + sym + " = " + prev + " from " + origin.get(sym) + ")");
        }
        for (int i = 0; i < actual.length; i++) {
            Dim d = s.dim(i);
            if (plainSymbol(d) != null) continue;
            requireBound(input, d);
            if (d.eval(dims) != actual[i]) throw shapeError(input, actual, source, bindingsOf(d));
        }
        if (want.isInteger() && t.dtype() != want) {
            double[] d = t.data();
            for (int i = 0; i < d.length; i++)
                if (dlc.numerics.Ints.wrap((long) d[i], want.intKind()) != d[i])
                    throw new UserError("input '" + input.name() + "' is " + input.type() + ", but " + source + " holds " + t.dtype()
                            + " values and the value " + (long) d[i] + " (element " + i + ") is out of range for " + want
                            + "; convert it (for example a.astype(np." + numpyName(want) + ")) or declare the input " + t.dtype());
        }
        return t.dtype() == want ? t : t.withDType(want);
    }

    /** Binds {@code B} to the default batch size unless something bound it already. */
    void defaultBatch(int batch) {
        if (!dims.containsKey(BATCH)) bindNew(BATCH, batch, "the default --batch " + batch);
    }

    /** The concrete shape of an input the user did not give; unbound symbols get {@link #DEFAULT_DIM}. */
    int[] shapeOf(Value input) {
        for (Dim d : input.type().shape().dims()) bindOrDefault(d);
        try {
            return input.type().shape().eval(dims); // non-negative, within one Java array
        } catch (ShapeException e) {
            throw new UserError("input '" + input.name() + "' " + input.type().dtype() + e.getMessage() + " (" + e.hint() + ")");
        }
    }

    private void requireBound(Value input, Dim d) {
        for (String sym : d.symbols())
            if (!dims.containsKey(sym))
                throw new UserError("input '" + input.name() + "' has type " + input.type() + " and the size of " + sym
                        + " is unknown; give it with --dim " + sym + "=SIZE or pass the input with --input " + input.name() + "=FILE.npy");
    }

    /**
     * For an input dlc generates: a symbol nothing bound (not --dim, not a given tensor) gets
     * {@link #DEFAULT_DIM}, so a model runs on random inputs with no flags; {@link #defaulted()}
     * lists them for the output header.
     */
    private void bindOrDefault(Dim d) {
        for (String sym : d.symbols())
            if (!dims.containsKey(sym)) {
                bindNew(sym, DEFAULT_DIM, "the default size " + DEFAULT_DIM);
                defaulted.add(sym);
            }
    }

    /** Size given to a symbolic dim nothing else bound: small, so the interpreter stays quick. */
    static final long DEFAULT_DIM = 8;

    private final List<String> defaulted = new ArrayList<>();

    /** The symbols that got {@link #DEFAULT_DIM}, in the order they were met. */
    List<String> defaulted() { return Collections.unmodifiableList(defaulted); }

    private void bindNew(String sym, long v, String from) {
        dims.put(sym, v);
        origin.put(sym, from);
    }

    private String bindingsOf(Dim d) {
        StringJoiner j = new StringJoiner(", ", " (", ")");
        j.setEmptyValue("");
        for (String sym : d.symbols()) j.add(sym + " = " + dims.get(sym) + " from " + origin.get(sym));
        return j.toString();
    }

    private static UserError shapeError(Value input, int[] actual, String source, String detail) {
        return new UserError("input '" + input.name() + "' expects shape " + input.type().shape() + detail + ", but " + source
                + " has shape " + Arrays.toString(actual));
    }

    /** The symbol a dim is exactly (as in {@code B}), or null for constants and compound dims. */
    private static String plainSymbol(Dim d) {
        if (d.symbols().size() != 1) return null;
        String sym = d.symbols().iterator().next();
        return d.equals(Dim.sym(sym)) ? sym : null;
    }

    /** Floats convert among themselves, integers among themselves; bool only from bool. */
    private static boolean compatible(DType want, DType have) {
        if (want.isFloating()) return have.isFloating();
        if (want.isInteger()) return have.isInteger();
        return have == want;
    }

    private static String numpyName(DType d) {
        return switch (d) {
            case F16 -> "float16";
            case F32 -> "float32";
            case F64 -> "float64";
            case I8 -> "int8";
            case U8 -> "uint8";
            case I32 -> "int32";
            case I64 -> "int64";
            case BOOL -> "bool_";
        };
    }
}
