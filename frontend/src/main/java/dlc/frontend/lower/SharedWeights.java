package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.TensorType;
import dlc.ir.Value;

/**
 * Shared weights: the {@code share(f, name=none)} builtin, which makes a {@link SharedInstance} of
 * a def, and the rules that let the instance's calls declare the same params and state again.
 *
 * <ul>
 *   <li>The first call of an instance declares its params and state as a plain call would, in the
 *   instance's scope (named like a call of the def where {@code share} ran, so replacing one call
 *   {@code d(x)} by an instance keeps the names a checkpoint holds).</li>
 *   <li>A later call declaring the same path gets the same graph value (the param input, or the
 *   state as the previous calls of this step left it), provided it has the same type.</li>
 *   <li>Updates ({@code <-}) of an instance's state or params chain, in call order: each call's
 *   update reads what the previous call wrote, and the step's update is the last one.</li>
 * </ul>
 */
final class SharedWeights {
    private SharedWeights() {}

    static Builtin shareBuiltin() {
        return Builtin.of("share", "f, name=none", SharedWeights::share);
    }

    private static Val share(Args a) {
        Interp in = a.in;
        Val f = a.get("f");
        if (f instanceof SharedFn s)
            throw a.error("f", "this is already a shared instance of " + s.name(), "call it directly: every call of it uses the same parameters");
        if (f instanceof LambdaFn)
            throw a.error("f", "share needs a def, got a lambda", "a lambda opens no parameter scope; write the layer as a def");
        if (f instanceof BuiltinFn b)
            throw a.error("f", "share needs a def, got the builtin " + b.name(), "builtins declare no parameters, so there is nothing to share");
        if (!(f instanceof DefFn d)) throw a.error("f", "share needs a def, got " + Vals.kind(f));
        if (in.lowering == null)
            throw in.error(a.span, "share makes an instance whose parameters belong to a model, but this runs at module level",
                    "write e.g. `enc = share(encoder)` in the model body or in a def the model calls");
        if (in.lowering.init.active) throw in.error(a.span, "an initializer cannot make a shared instance");
        String name = null;
        if (a.given("name")) {
            name = a.str("name");
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*"))
                throw a.error("name", "the scope name \"" + name + "\" is not a plain name", "use letters, digits and '_', e.g. name=\"encoder\"");
        }
        return new SharedFn(new SharedInstance(d, in.frame.anchor(d.name(), a.span, name), in.lowering));
    }

    /** The frame of the next call of inst at span. */
    static Frame enter(Interp in, SharedInstance inst, Span span) {
        if (inst.lowering() != in.lowering)
            throw in.error(span, "this shared instance of " + inst.def().name() + " was made for another graph",
                    "make the instance with share(...) where it is used, in the model body");
        if (inst.firstCallFailed()) throw CompileError.poisoned();
        return in.frame.callShared(inst, span, inst.nextCall());
    }

    /**
     * A declaration of path, which is already declared: the current value of path when a later
     * call of a shared instance that owns it declares it again (its first declaration in this
     * call), else null (a duplicate). A type other than the first call's is an error at typeSpan.
     */
    static Value redeclare(Interp in, Span typeSpan, String path, TensorType t, String kind) {
        Frame call = in.frame.sharedCallOwning(path);
        if (call == null || call.instanceCall == 0 || !call.declaredHere.add(path)) return null;
        Lowering low = in.lowering;
        TensorType first = low.declared.get(path).type();
        if (!first.equals(t))
            throw in.error(typeSpan, kind + " '" + path + "' is " + t + " in call " + (call.instanceCall + 1) + " of shared "
                            + call.instance.def().name() + " but " + first + " in its first call",
                    "the calls of a shared instance use one set of parameters, so their arguments must give them the same shapes");
        own(in, path);
        return low.current(path);
    }

    /**
     * Records a new declaration of path in the shared calls it happens in; an error when one of
     * them is a later call of its instance (every call must declare what the first one did).
     */
    static void declared(Interp in, Span span, String path, String kind) {
        for (Frame f : in.frame.sharedCalls())
            if (f.instanceCall > 0)
                throw in.error(span, "call " + (f.instanceCall + 1) + " of shared " + f.instance.def().name() + " declares " + kind + " '"
                                + path + "', which its first call did not declare",
                        "every call of a shared instance must declare the same params and state; do not make a declaration depend on the arguments");
        if (own(in, path)) in.lowering.sharedPaths.add(path);
    }

    /** Makes the first calls on the stack own path; whether any shared call is on the stack. */
    private static boolean own(Interp in, String path) {
        boolean any = false;
        for (Frame f : in.frame.sharedCalls()) {
            any = true;
            if (f.instanceCall == 0) f.instance.own(path);
            f.declaredHere.add(path);
        }
        return any;
    }

    /**
     * Records nv as the new value of a shared instance's param or state (path in
     * {@link Lowering#sharedPaths}): it replaces the update of an earlier call of the instance;
     * false when path was already updated in this call (or twice outside any call).
     */
    static boolean update(Interp in, String path, Value nv) {
        Lowering low = in.lowering;
        Frame call = in.frame.sharedCallOwning(path);
        boolean again = low.sharedUpdates.containsKey(path);
        if (call != null ? !call.updatedHere.add(path) : again) return false;
        if (!again && !low.outputNames.add(path)) return false;
        low.sharedUpdates.put(path, nv);
        return true;
    }
}
