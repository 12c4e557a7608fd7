package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;

import java.util.*;

/**
 * Calls: binding positional and keyword arguments to parameters, then running a builtin,
 * inlining a def (with its parameter types checked and its dims bound) or a lambda.
 */
final class Calls {
    private Calls() {}

    /** One evaluated argument; name is null for a positional one. */
    record CallArg(String name, Val value, Span span) {}

    static Val evalCall(Interp in, Call c, Env env) {
        Val callee = in.eval(c.callee(), env);
        List<CallArg> args = new ArrayList<>();
        for (Arg a : c.args()) args.add(new CallArg(a.name(), in.eval(a.value(), env), a.span()));
        if (!(callee instanceof FnV)) {
            String what = c.callee() instanceof Name n ? "'" + n.name() + "' is " + Vals.kind(callee) : "this is " + Vals.kind(callee);
            String hint = callee instanceof ModelV ? "models are not functions; move the shared part into a def"
                    : callee instanceof TensorV ? "to index a tensor, write x[i]" : null;
            throw in.error(c.callee().span(), what + ", not a function", hint);
        }
        return call(in, (FnV) callee, args, c.span());
    }

    /** Calls fn with already evaluated arguments; span is the call site. */
    static Val call(Interp in, FnV fn, List<CallArg> args, Span span) {
        if (fn instanceof BuiltinFn b) return callBuiltin(in, b.builtin(), args, span);
        if (fn instanceof DefFn d) return callDef(in, d, args, span, null);
        if (fn instanceof SharedFn s) return callDef(in, s.instance().def(), args, span, s.instance());
        return callLambda(in, (LambdaFn) fn, args, span);
    }

    /** Calls fn with positional arguments only (scan bodies, initializers). */
    static Val callPositional(Interp in, FnV fn, List<Val> args, Span span) {
        List<CallArg> as = new ArrayList<>();
        for (Val v : args) as.add(new CallArg(null, v, span));
        return call(in, fn, as, span);
    }

    /**
     * Assigns arguments to parameters: slot i gets the argument for parameter i, or null when
     * it was not given (the caller fills defaults and reports missing ones).
     */
    private static CallArg[] bind(Interp in, String fnName, List<String> params, int required, List<CallArg> args, Span span,
                                  String signature) {
        CallArg[] slots = new CallArg[params.size()];
        int pos = 0;
        for (CallArg a : args) {
            if (a.name() == null) {
                if (pos >= params.size())
                    throw in.error(a.span(), fnName + " takes " + countText(required, params.size()) + ", got " + positionalCount(args),
                            "signature: " + signature);
                slots[pos++] = a;
            } else {
                int i = params.indexOf(a.name());
                if (i < 0)
                    throw in.error(a.span(), fnName + " has no parameter named '" + a.name() + "'",
                            Optional.ofNullable(Names.didYouMean(a.name(), params)).orElse("signature: " + signature));
                if (slots[i] != null)
                    throw in.error(a.span(), "argument '" + a.name() + "' of " + fnName + " is given twice");
                slots[i] = a;
            }
        }
        return slots;
    }

    private static long positionalCount(List<CallArg> args) { return args.stream().filter(a -> a.name() == null).count(); }

    private static String countText(int min, int max) {
        return (min == max ? "" + max : min + " to " + max) + " argument" + (max == 1 ? "" : "s");
    }

    private static CompileError missing(Interp in, String fnName, String param, Span span, String signature) {
        return in.error(span, "missing argument '" + param + "' in call to " + fnName, "signature: " + signature);
    }

    private static Val callBuiltin(Interp in, Builtin b, List<CallArg> args, Span span) {
        int required = 0;
        for (int i = 0; i < b.params().size(); i++) if (b.defaultOf(i) == null) required++;
        CallArg[] slots = bind(in, b.name(), b.params(), required, args, span, b.signature());
        Val[] vals = new Val[slots.length];
        Span[] spans = new Span[slots.length];
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                vals[i] = slots[i].value();
                spans[i] = slots[i].span();
            } else if (b.defaultOf(i) != null) vals[i] = b.defaultOf(i);
            else throw missing(in, b.name(), b.params().get(i), span, b.signature());
        }
        try {
            return b.call(new Args(in, b, span, vals, spans));
        } catch (ArithmeticException e) { // exact dim or compile-time arithmetic out of range, at the call
            throw in.error(span, e.getMessage(), null);
        }
    }

    private static Frame enter(Interp in, String name, Span span, boolean scoped) {
        return enter(in, name, span, () -> in.frame.call(name, span, scoped));
    }

    private static Frame enter(Interp in, String name, Span span, java.util.function.Supplier<Frame> callee) {
        if (in.frame.depth() >= Interp.MAX_DEPTH)
            throw in.error(span, "calls nest deeper than " + Interp.MAX_DEPTH + " levels in " + name,
                    "is a recursive def missing its base case?");
        Frame caller = in.frame;
        in.frame = callee.get();
        return caller;
    }

    /** Calls a def, or the shared instance inst of it (null for a plain call). */
    private static Val callDef(Interp in, DefFn fn, List<CallArg> args, Span span, SharedInstance inst) {
        Def def = fn.def();
        List<String> names = def.params().stream().map(Formal::name).toList();
        String sig = signature(def);
        int required = (int) def.params().stream().filter(f -> f.dflt() == null).count();
        CallArg[] slots = bind(in, def.name(), names, required, args, span, sig);
        for (int i = 0; i < slots.length; i++)
            if (slots[i] == null && def.params().get(i).dflt() == null) throw missing(in, def.name(), names.get(i), span, sig);
        Env local = new Env(fn.moduleEnv());
        // a def calling itself (the way to repeat layers) stays in its caller's scope, so the
        // layers of one stack are siblings: stack.layer, stack.layer_1, not stack.stack.layer;
        // a shared instance's call declares into the instance's scope
        Frame caller = inst != null ? enter(in, def.name(), span, () -> SharedWeights.enter(in, inst, span))
                : enter(in, def.name(), span, !in.frame.isCallOf(def.name()));
        Frame self = in.frame;
        try {
            for (int i = 0; i < slots.length; i++) {
                Formal f = def.params().get(i);
                local.define(f.name(), slots[i] != null ? slots[i].value() : in.eval(f.dflt(), local));
            }
            // argument types are the caller's mistake: report them at the argument, from the caller
            Frame callee = in.frame;
            in.frame = caller;
            Map<String, String> origins = new HashMap<>();
            for (int i = 0; i < slots.length; i++) {
                Formal f = def.params().get(i);
                if (f.type() == null) continue;
                Span where = slots[i] != null ? slots[i].span() : span;
                Val v = TypePatterns.matchArg(in, f.type(), local.local(f.name()), local, where,
                        "argument '" + f.name() + "' of " + def.name(), origins);
                local.define(f.name(), v);
            }
            in.frame = callee;
            Val result;
            try {
                result = in.execBlock(def.body(), local, false);
            } catch (ReturnSignal r) {
                result = r.value;
            }
            if (def.result() != null)
                result = TypePatterns.matchArg(in, def.result(), result, local, def.result().span(), "the result of " + def.name(), origins);
            return result;
        } catch (CompileError e) {
            // the first call of an instance declares its parameters; after it failed, later calls
            // would only report what it did not get to declare
            if (inst != null && self.instanceCall == 0) inst.failFirstCall();
            throw e;
        } finally {
            in.frame = caller;
        }
    }

    private static Val callLambda(Interp in, LambdaFn fn, List<CallArg> args, Span span) {
        Lambda l = fn.lambda();
        List<String> names = new ArrayList<>();
        for (Pattern p : l.params()) names.add(Optional.ofNullable(Patterns.nameOf(p)).orElse("<tuple>"));
        String sig = "fn(" + String.join(", ", names) + ")";
        CallArg[] slots = bind(in, "the lambda", names, names.size(), args, span, sig);
        for (int i = 0; i < slots.length; i++)
            if (slots[i] == null) throw missing(in, "the lambda", names.get(i), span, sig);
        Env local = new Env(fn.env());
        Frame caller = enter(in, "lambda", span, false);
        try {
            for (int i = 0; i < slots.length; i++) Patterns.bind(in, l.params().get(i), slots[i].value(), local);
            try {
                return in.execBlock(l.body(), local, false);
            } catch (ReturnSignal r) {
                return r.value;
            }
        } finally {
            in.frame = caller;
        }
    }

    /** {@code dense(x: f32[..., I], units: int, p: float = ...)} for hints. */
    static String signature(Def def) {
        StringJoiner j = new StringJoiner(", ", def.name() + "(", ")");
        for (Formal f : def.params()) j.add(f.name() + (f.type() != null ? ": " + TypePatterns.show(f.type()) : "") + (f.dflt() != null ? " = ..." : ""));
        return j.toString();
    }
}
