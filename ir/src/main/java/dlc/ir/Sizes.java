package dlc.ir;

import java.util.Map;
import java.util.StringJoiner;

/**
 * The sizes a tensor can have when a graph runs: every dim a non-negative integer and the element
 * count within what one Java array holds (both backends keep a tensor in one array). Checking a
 * whole graph before it runs turns a size no backend can hold (a {@code --dim} of 3e9, a
 * {@code T - 1} with {@code T = 0}, {@code B / T} with {@code T = 0}, an outer product of two
 * 100000-vectors) into one message naming the value, its source location and the symbols' values,
 * instead of an overflow, a negative array size or a division by zero deep inside a backend.
 */
public final class Sizes {
    private Sizes() {}

    /**
     * The most elements a tensor may have: the largest array length every JVM allocates
     * ({@code Integer.MAX_VALUE - 8}; some reserve header words in an array).
     */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** The sizes of {@code s} under {@code env}; a {@link ShapeException} when no array can have them. */
    static long[] evalChecked(Shape s, Map<String, Long> env) {
        long[] out = new long[s.rank()];
        String problem = problem(s, env, out);
        if (problem != null) throw new ShapeException(s + problem, hint(problem));
        return out;
    }

    private static final String TOO_LARGE = "choose smaller sizes (--batch, --dim, model parameters): a tensor lives in one Java array";
    private static final String NEGATIVE = "choose sizes that keep every dim at 0 or more (T - 1 needs T >= 1)";
    private static final String NOT_COMPUTABLE = "choose sizes for which every dim is defined (no division by a dim of size 0)";

    /** The hint for a problem text of {@link #problem} or {@link #constantProblem}. */
    private static String hint(String problem) {
        if (problem.contains("divides by zero")) return NOT_COMPUTABLE;
        if (problem.contains("negative")) return NEGATIVE;
        return TOO_LARGE;
    }

    /**
     * Checks every input and every node output of {@code g} (and of its regions) under the
     * symbol values {@code env}. A value whose shape has a symbol env does not bind is checked
     * for what is known without it: each constant dim, and the product of the constant dims.
     * With an empty env this checks the sizes written in the program (a backend does so before
     * compiling).
     *
     * @throws ShapeException naming the first value whose size no Java array can hold
     */
    public static void check(Graph g, Map<String, Long> env) {
        for (Value v : g.inputs()) checkValue(v, env, describeInput(v, g));
        Map<Value, String> outputNames = new java.util.IdentityHashMap<>();
        for (Graph.Output o : g.outputs()) outputNames.putIfAbsent(o.value(), o.name());
        for (Node n : g.nodes()) {
            for (Value v : n.outputs()) checkValue(v, env, describeNode(n, g, outputNames.get(v)));
            for (Graph r : n.regions()) check(r, env);
        }
    }

    private static void checkValue(Value v, Map<String, Long> env, String what) {
        Shape s = v.type().shape();
        String problem;
        if (env.keySet().containsAll(s.symbols())) problem = problem(s, env, new long[s.rank()]);
        else problem = constantProblem(s);
        if (problem != null) throw new ShapeException(what + " " + v.type() + problem, hint(problem));
    }

    /** Null when the sizes fit, else the text after the shape: " is [..] with B = ..: reason". */
    private static String problem(Shape s, Map<String, Long> env, long[] out) {
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < s.rank(); i++) {
            try {
                out[i] = s.dim(i).eval(env);
            } catch (ArithmeticException e) {
                return " cannot be computed" + with(s, env) + ": " + e.getMessage();
            }
            if (out[i] < 0) return " is " + show(out, i + 1) + with(s, env) + ": a negative size";
            if (out[i] > MAX_ELEMENTS)
                return " is " + show(out, i + 1) + with(s, env) + ": a size more than a Java array holds (" + MAX_ELEMENTS + ")";
            if (!overflow) {
                try {
                    numel = Math.multiplyExact(numel, out[i]);
                } catch (ArithmeticException e) {
                    overflow = true;
                }
            }
        }
        if (overflow || numel > MAX_ELEMENTS)
            return " is " + show(out, out.length) + with(s, env) + ": " + (overflow ? "more than 2^63" : numel)
                    + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")";
        return null;
    }

    /** For a shape with unbound symbols: a constant dim, or the product of the constant dims, that is too large or negative. */
    private static String constantProblem(Shape s) {
        long product = 1;
        for (Dim d : s.dims()) {
            if (!d.isConst()) continue;
            long v = d.value();
            if (v < 0) return ": the dim " + v + " is negative";
            if (v > MAX_ELEMENTS) return ": the dim " + v + " is more than a Java array holds (" + MAX_ELEMENTS + " elements)";
            product *= v; // both factors <= MAX_ELEMENTS < 2^31: no overflow
            if (product > MAX_ELEMENTS)
                return ": its constant dims alone make " + product + "+ elements, more than a Java array holds (" + MAX_ELEMENTS + ")";
        }
        return null;
    }

    private static String show(long[] sizes, int n) {
        StringJoiner j = new StringJoiner(", ", "[", n < sizes.length ? ", ...]" : "]");
        for (int i = 0; i < n; i++) j.add(Long.toString(sizes[i]));
        return j.toString();
    }

    /** " with B = 2, T = 0" for the shape's symbols, "" for a concrete shape. */
    private static String with(Shape s, Map<String, Long> env) {
        StringJoiner j = new StringJoiner(", ", " with ", "");
        j.setEmptyValue("");
        for (String sym : s.symbols()) j.add(sym + " = " + env.get(sym));
        return j.toString();
    }

    private static String describeInput(Value v, Graph g) {
        String role = switch (v.role()) {
            case PARAM -> "parameter";
            case STATE -> "state";
            default -> "input";
        };
        return role + " '" + v.name() + "' of graph " + g.name() + ":";
    }

    /** "m.dl:4:14: add gives", with the graph output it computes when it is one (a parameter of the init graph). */
    private static String describeNode(Node n, Graph g, String output) {
        boolean located = n.loc() != null && !n.loc().equals(SourceLoc.UNKNOWN);
        String op = n.op().name() + (output != null ? " (output '" + output + "' of graph " + g.name() + ")" : "");
        return located ? n.loc() + ": " + op + " gives" : op + " in graph " + g.name() + " gives";
    }
}
