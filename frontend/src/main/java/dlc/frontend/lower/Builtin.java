package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.DType;
import dlc.ir.OpDef;

import java.util.ArrayList;
import java.util.List;

/**
 * A function implemented by the compiler: a signature (parameter names and default values,
 * bound like a def's) and an implementation that computes a compile-time value or emits IR ops.
 */
public final class Builtin {
    /** The body of a builtin: reads its bound arguments, returns the result. */
    @FunctionalInterface
    public interface Impl {
        Val call(Args a);
    }

    private final String name;
    private final OpDef op;
    private final List<String> params;
    private final List<Val> defaults;
    private final String signature;
    private final Impl impl;

    private Builtin(String name, OpDef op, List<String> params, List<Val> defaults, String signature, Impl impl) {
        this.name = name;
        this.op = op;
        this.params = List.copyOf(params);
        this.defaults = defaults;
        this.signature = signature;
        this.impl = impl;
    }

    /**
     * A builtin from a signature text such as {@code "x, axis=none, keepdims=false"}. Defaults
     * are literals: none, true, false, ints, floats, dtypes, quoted strings or {@code ()}.
     */
    public static Builtin of(String name, String sig, Impl impl) { return of(name, null, sig, impl); }

    /**
     * The builtin that stands for the IR op {@code op} and is named after it ({@code exp},
     * {@code matmul}): its implementation emits op on tensors (and may fold numbers).
     */
    public static Builtin of(OpDef op, String sig, Impl impl) { return of(op.name(), op, sig, impl); }

    private static Builtin of(String name, OpDef op, String sig, Impl impl) {
        List<String> ps = new ArrayList<>();
        List<Val> ds = new ArrayList<>();
        if (!sig.isBlank())
            for (String part : sig.split(",")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (eq < 0) {
                    ps.add(p);
                    ds.add(null);
                } else {
                    ps.add(p.substring(0, eq).trim());
                    ds.add(literal(p.substring(eq + 1).trim()));
                }
            }
        return new Builtin(name, op, ps, ds, name + "(" + sig + ")", impl);
    }

    private static Val literal(String t) {
        switch (t) {
            case "none": return NoneV.NONE;
            case "true": return BoolV.TRUE;
            case "false": return BoolV.FALSE;
            case "()": return SeqV.tuple(List.of());
            default: break;
        }
        DType d = DType.fromText(t);
        if (d != null) return new DTypeV(d);
        if (t.startsWith("\"")) return new StrV(t.substring(1, t.length() - 1));
        if (t.matches("-?[0-9]+")) return new IntV(Long.parseLong(t));
        return new FloatV(Double.parseDouble(t));
    }

    public String name() { return name; }

    /** The IR op this builtin stands for, or null for sugar over several ops and compile-time builtins. */
    public OpDef op() { return op; }

    public List<String> params() { return params; }

    /** The default of parameter i, or null when it is required. */
    public Val defaultOf(int i) { return defaults.get(i); }

    /** The signature as users read it in hints: {@code sum(x, axis=none, keepdims=false)}. */
    public String signature() { return signature; }

    Val call(Args a) { return impl.call(a); }
}
