package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;
import dlc.ir.DType;

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
    private final List<String> params;
    private final List<Val> defaults;
    private final String signature;
    private final Impl impl;

    private Builtin(String name, List<String> params, List<Val> defaults, String signature, Impl impl) {
        this.name = name;
        this.params = List.copyOf(params);
        this.defaults = defaults;
        this.signature = signature;
        this.impl = impl;
    }

    /**
     * A builtin from a signature text such as {@code "x, axis=none, keepdims=false"}. Defaults
     * are literals: none, true, false, ints, floats, dtypes, quoted strings or {@code ()}.
     */
    public static Builtin of(String name, String sig, Impl impl) {
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
        return new Builtin(name, ps, ds, name + "(" + sig + ")", impl);
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

    public List<String> params() { return params; }

    /** The default of parameter i, or null when it is required. */
    public Val defaultOf(int i) { return defaults.get(i); }

    /** The signature as users read it in hints: {@code sum(x, axis=none, keepdims=false)}. */
    public String signature() { return signature; }

    Val call(Args a) { return impl.call(a); }
}
