package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.ShapeException;
import dlc.ir.Value;
import dlc.passes.autodiff.Autodiff;
import dlc.passes.autodiff.GradientException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code grad(y, x)}: the gradient of the floating scalar y with respect to x, where x is a
 * tensor, a tuple or list of tensors (nested tuples too; the result has the same structure), or
 * a set of parameters: a def (the params whose path starts with the def's name, as a train step's
 * {@code params} setting selects them), a shared instance ({@code share(f)}: the params its calls
 * declared, in its own scope) or a string path prefix ({@code "encoder.dense"}); the result is
 * then a tuple of gradients in the order the params were declared.
 *
 * <p>The gradient is built in place with the autodiff pass's VJP rules ({@link
 * Autodiff#gradientsInPlace}): the VJP nodes of everything between x and y are appended to the
 * graph being built. They are ordinary primitive ops, so a later {@code grad} (a gradient of a
 * gradient) and the training step's autodiff differentiate through them: second order. Where y
 * does not depend on x the gradient is zeros, with a warning, as it would be in a training step.
 */
final class BuiltinsGrad {
    private BuiltinsGrad() {}

    static List<Builtin> all() { return List.of(Builtin.of("grad", "y, x", BuiltinsGrad::grad)); }

    private static Val grad(Args a) {
        Interp in = a.in;
        GraphCtx g = in.graph(a.span);
        Value y = scalarY(a);
        Val xv = a.get("x");
        List<Value> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean params = xv instanceof StrV || xv instanceof DefFn || xv instanceof SharedFn;
        Val shape = params ? null : collect(a, xv, targets, names, "x");
        if (params) selectParams(a, xv, targets, names);
        List<Value> resolved = new ArrayList<>();
        for (Value t : targets) resolved.add(in.resolve(t, a.spanOf("x")));
        Value yr = in.resolve(y, a.spanOf("y"));
        boolean[] reached = new boolean[resolved.size()];
        List<Value> grads;
        try {
            grads = g.direct(a.span.loc(), b -> new Autodiff().gradientsInPlace(b, yr, resolved, reached));
        } catch (GradientException e) {
            // a rule refused one forward node: say so at the grad, and point at that node
            Diagnostic d = new Diagnostic(Diagnostic.Severity.ERROR, a.span, "grad: cannot differentiate: " + e.detail(), e.hint(), in.frame.notes())
                    .withNote(new Diagnostic.Note(new Span(e.loc().file(), e.loc().line(), e.loc().col(), 1), "the operation whose gradient failed"));
            throw new CompileError(d);
        } catch (ShapeException | IllegalArgumentException | IllegalStateException e) {
            throw in.error(a.span, "grad: cannot differentiate: " + e.getMessage(), null);
        }
        warnUnreached(a, names, reached, params);
        if (params) {
            List<Val> out = new ArrayList<>();
            for (Value v : grads) out.add(new TensorV(v));
            return SeqV.tuple(out);
        }
        return rebuild(shape, grads, new int[1]);
    }

    /** The floating params x stands for (a shared instance's, or those under a def's name or a path prefix), in declaration order. */
    private static void selectParams(Args a, Val xv, List<Value> targets, List<String> names) {
        Map<String, Value> all = declaredParams(a);
        if (xv instanceof SharedFn shared) {
            for (String path : shared.instance().paths())
                if (all.containsKey(path)) {
                    targets.add(all.get(path));
                    names.add(path);
                }
            if (targets.isEmpty())
                throw a.error("x", "grad: the shared instance of " + shared.name() + " has declared no floating param yet",
                        "call the instance before taking the gradient with respect to its params");
            return;
        }
        String prefix = xv instanceof StrV s ? s.v() : ((DefFn) xv).name();
        for (Map.Entry<String, Value> e : all.entrySet())
            if (e.getKey().equals(prefix) || e.getKey().startsWith(prefix + ".")) {
                targets.add(e.getValue());
                names.add(e.getKey());
            }
        if (targets.isEmpty())
            throw a.error("x", "grad: no floating param is declared under '" + prefix + "' (so far)", hintForPrefix(a, prefix));
    }

    private static Value scalarY(Args a) {
        Val yv = a.get("y");
        if (!(yv instanceof TensorV t))
            throw a.error("y", "grad's y must be a scalar tensor, got " + Vals.kind(yv),
                    Vals.isNumber(yv) ? "a number is a constant: its gradient is zero" : null);
        Value y = t.v();
        if (!y.type().dtype().isFloating())
            throw a.error("y", "grad's y must be a floating scalar, but it is " + y.type(),
                    "integer values are not differentiable; cast to a float before the computation, not after");
        if (y.type().rank() != 0)
            throw a.error("y", "grad needs a scalar y, but y is " + y.type(),
                    "reduce it first, e.g. grad(sum(y), x); samples of a batch do not interact, so grad(sum(f(x)), x) gives each sample's gradient");
        return y;
    }

    /** Flattens x (a tensor or nested tuples of tensors) into targets; returns the structure to rebuild. */
    private static Val collect(Args a, Val x, List<Value> targets, List<String> names, String what) {
        if (x instanceof TensorV t) {
            Value v = t.v();
            if (!v.type().dtype().isFloating())
                throw a.error("x", "grad: " + what + " is " + v.type() + ", which has no gradient",
                        "only floating tensors have gradients; integer and bool values (indices, masks, labels) do not");
            targets.add(v);
            names.add(what);
            return x;
        }
        if (x instanceof SeqV s) {
            if (s.items().isEmpty()) throw a.error("x", "grad: x is an empty " + (s.list() ? "list" : "tuple"));
            List<Val> items = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) items.add(collect(a, s.items().get(i), targets, names, what + "[" + i + "]"));
            return new SeqV(items, s.list());
        }
        throw a.error("x", "grad's x must be a tensor, a tuple of tensors, a def, a shared instance or a param path prefix (a string), got " + Vals.kind(x),
                "signature: " + a.fn.signature());
    }

    private static Val rebuild(Val shape, List<Value> grads, int[] next) {
        if (shape instanceof TensorV) return new TensorV(grads.get(next[0]++));
        SeqV s = (SeqV) shape;
        List<Val> items = new ArrayList<>();
        for (Val v : s.items()) items.add(rebuild(v, grads, next));
        return new SeqV(items, s.list());
    }

    /** The floating params declared so far in this lowering, by path. */
    private static Map<String, Value> declaredParams(Args a) {
        if (a.in.lowering == null) throw a.error("x", "grad with respect to params needs a model being lowered");
        Map<String, Value> out = new java.util.LinkedHashMap<>();
        a.in.lowering.declared.forEach((k, v) -> {
            if (v.role() == Value.Role.PARAM && v.type().dtype().isFloating()) out.put(k, v);
        });
        return out;
    }

    private static String hintForPrefix(Args a, String prefix) {
        List<String> paths = new ArrayList<>(declaredParams(a).keySet());
        java.util.Set<String> scopes = new java.util.LinkedHashSet<>();   // every dotted prefix: "enc", "enc.dense", "enc.dense.w"
        for (String p : paths)
            for (int i = p.indexOf('.'); ; i = p.indexOf('.', i + 1)) {
                scopes.add(i < 0 ? p : p.substring(0, i));
                if (i < 0) break;
            }
        String close = Names.didYouMean(prefix, scopes);
        if (close != null) return close;
        if (paths.isEmpty()) return "no params are declared yet; call the def before taking the gradient";
        return "declared params: " + String.join(", ", paths.size() > 8 ? paths.subList(0, 8) : paths) + (paths.size() > 8 ? ", ..." : "");
    }

    /** A warning when y does not depend on x (its gradient is zeros, which is rarely what was meant). */
    private static void warnUnreached(Args a, List<String> names, boolean[] reached, boolean params) {
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < reached.length; i++) if (!reached[i]) missed.add(names.get(i));
        if (missed.isEmpty() || (params && missed.size() < reached.length)) return;
        String what = params ? "any of the params " + String.join(", ", missed)
                : names.size() == 1 ? "x" : String.join(", ", missed);
        Span at = a.spanOf("x");
        a.in.reporter.report(new Diagnostic(Diagnostic.Severity.WARNING, at,
                "grad: y does not depend on " + what + "; the gradient is zeros", null, a.in.frame.notes()));
    }
}
