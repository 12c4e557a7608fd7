package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.TensorType;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * The statements that shape a model's graphs: {@code input}, {@code param}, {@code state},
 * {@code output}, {@code loss} and updates ({@code <-}, {@code +=}, {@code -=}).
 */
final class ModelStmts {
    private ModelStmts() {}

    static final String RNG = "rng";

    static void exec(Interp in, Stmt s, Env env) {
        if (s instanceof ParamStmt p) declare(in, p.span(), p.name(), p.type(), p.init(), Value.Role.PARAM, env);
        else if (s instanceof StateStmt p) declare(in, p.span(), p.name(), p.type(), p.init(), Value.Role.STATE, env);
        else if (s instanceof UpdateStmt u) update(in, u, env);
        else if (s instanceof InputStmt i) input(in, i, env);
        else if (s instanceof OutputStmt o) output(in, o, env);
        else if (s instanceof LossStmt l) loss(in, l, env);
        else throw new IllegalStateException("unknown statement " + s.getClass().getSimpleName());
    }

    private static void requireModelLevel(Interp in, Span span, String what) {
        if (!in.frame.isRoot() || in.ctx != in.lowering.root)
            throw in.error(span, "'" + what + "' is only allowed in a model body, not inside a def, lambda or scan",
                    what.equals("output") || what.equals("loss") ? "return the value and declare the " + what + " in the model" : null);
    }

    private static void checkFreeName(Interp in, Span span, String name, String what) {
        if (name.equals(RNG)) throw in.error(span, "the name 'rng' is reserved for the random key input of the graph", "rename the " + what);
        if (in.lowering.root.builder.inputs().stream().anyMatch(v -> v.name().equals(name)))
            throw in.error(span, "duplicate definition of '" + name + "': the graph already has an input of that name");
    }

    // ---- inputs --------------------------------------------------------------------------------

    private static void input(Interp in, InputStmt s, Env env) {
        requireModelLevel(in, s.span(), "input");
        checkFreeName(in, s.span(), s.name(), "input");
        TensorType t = TypePatterns.declared(in, s.type(), env, true, "input " + s.name());
        env.define(s.name(), new TensorV(in.lowering.root.input(s.name(), t, Value.Role.INPUT)));
    }

    // ---- params and state ----------------------------------------------------------------------

    private static void declare(Interp in, Span span, String name, dlc.frontend.ast.Ast.TypeExpr type, Expr init,
                                Value.Role role, Env env) {
        Lowering low = in.lowering;
        String kind = role == Value.Role.PARAM ? "parameter" : "state";
        if (low.init.active) throw in.error(span, "an initializer cannot declare a " + kind);
        TensorType t = TypePatterns.declared(in, type, env, false, kind + " '" + name + "'");
        if (!t.shape().isConcrete())
            throw in.error(type.span(), kind + " '" + name + "' has shape " + t.shape() + ", which depends on the symbolic dim"
                            + (t.shape().symbols().size() > 1 ? "s " : " ") + String.join(", ", t.shape().symbols()),
                    "parameters need sizes known at compile time; use a dim of a feature axis (bound from a def parameter type) or a model parameter");
        String path = in.frame.qualify(name);
        if (low.declared.containsKey(path)) {
            Value again = SharedWeights.redeclare(in, type.span(), path, t, kind);
            if (again != null) {
                env.define(name, new TensorV(again));
                return;
            }
            throw in.error(span, "duplicate " + kind + " '" + path + "'", in.frame.isCallOf("lambda")
                    ? "a lambda declares its parameters in its caller's scope, so calling it twice declares them twice; make it a def to get a scope per call"
                    : "a scope declares each name once; rename one of them");
        }
        checkFreeName(in, span, path, kind);
        TensorType before = low.init.types.get(path);
        if (before == null) {
            initialize(in, span, path, t, init, env);
            low.init.types.put(path, t);
        } else if (!before.equals(t))
            throw in.error(type.span(), kind + " '" + path + "' is " + before + " in one mode and " + t + " in the other",
                    "a parameter's type cannot depend on 'training'");
        Value v = low.root.input(path, t, role);
        low.declared.put(path, v);
        SharedWeights.declared(in, span, path, kind);
        env.define(name, new TensorV(v));
    }

    /**
     * Lowers the initializer into the init graph: a call f(args) runs as f(shape, args), any
     * other value is broadcast to the declared type; no initializer means zeros.
     */
    private static void initialize(Interp in, Span span, String path, TensorType t, Expr init, Env env) {
        Lowering low = in.lowering;
        GraphCtx savedCtx = in.ctx;
        Frame savedFrame = in.frame;
        in.ctx = low.init.ctx;
        in.frame = savedFrame.initializer(path, init != null ? init.span() : span);
        low.init.active = true;
        try {
            Span at = init != null ? init.span() : span;
            Val v;
            if (init == null) v = new FloatV(0);
            else if (init instanceof Call c) {
                Val callee = in.eval(c.callee(), env);
                if (!(callee instanceof FnV fn))
                    throw in.error(c.callee().span(), "the initializer calls " + Vals.kind(callee) + ", not a function");
                List<Calls.CallArg> args = new ArrayList<>();
                args.add(new Calls.CallArg(null, Vals.ofShape(t.shape()), c.span()));
                for (Arg a : c.args()) args.add(new Calls.CallArg(a.name(), in.eval(a.value(), env), a.span()));
                v = Calls.call(in, fn, args, c.span());
            } else v = in.eval(init, env);
            Value x;
            if (v instanceof TensorV tv) x = in.resolve(tv.v(), at);
            else if (v instanceof IntV || v instanceof FloatV || v instanceof BoolV)
                x = in.constant(at, t.dtype(), t.shape(), List.of(Vals.num(v)));
            else throw in.error(at, "an initializer must give a tensor or a number, got " + Vals.kind(v));
            if (x.type().dtype() != t.dtype()) x = in.emit(at, Ops.CAST, Attrs.of("dtype", t.dtype()), x);
            if (!x.type().shape().equals(t.shape())) {
                try {
                    dlc.ir.ops.Broadcasting.shape(x.type().shape(), t.shape());
                } catch (ShapeException e) {
                    throw in.error(at, "the initializer gives shape " + x.type().shape() + " but " + path + " is declared " + t);
                }
                x = in.emit(at, Ops.BROADCAST_TO, Attrs.of("shape", t.shape()), x);
            }
            low.init.ctx.builder.output(path, Graph.Output.Role.OUTPUT, x);
        } finally {
            low.init.active = false;
            in.ctx = savedCtx;
            in.frame = savedFrame;
        }
    }

    // ---- updates -------------------------------------------------------------------------------

    private static void update(Interp in, UpdateStmt u, Env env) {
        Lowering low = in.lowering;
        if (!low.training) return; // updates exist only in the train graph; eval reads state as it is
        if (in.ctx != low.root)
            throw in.error(u.span(), "a param or state cannot be updated inside a scan body",
                    "return the new value from the scan and update after it");
        String shown = String.join(".", u.target());
        Value target = low.declared.get(updateTarget(in, u, env, shown));
        Val e = in.eval(u.value(), env);
        Value nv = in.tensorOf(u.value().span(), e, target.type().dtype());
        if (nv.type().dtype() != target.type().dtype())
            throw in.error(u.value().span(), "the update of '" + shown + "' (" + target.type() + ") has dtype " + nv.type().dtype(),
                    "cast it, e.g. cast(v, " + target.type().dtype() + ")");
        Value now = low.current(target.name());
        if (u.op().equals("+=")) nv = in.emit(u.span(), Ops.ADD, now, nv);
        else if (u.op().equals("-=")) nv = in.emit(u.span(), Ops.SUB, now, nv);
        if (!nv.type().shape().equals(target.type().shape())) {
            try {
                if (!dlc.ir.ops.Broadcasting.shape(nv.type().shape(), target.type().shape()).equals(target.type().shape()))
                    throw new ShapeException("");
            } catch (ShapeException ex) {
                throw in.error(u.value().span(), "the update of '" + shown + "' has shape " + nv.type().shape()
                        + " but '" + shown + "' is " + target.type());
            }
            nv = in.emit(u.span(), Ops.BROADCAST_TO, Attrs.of("shape", target.type().shape()), nv);
        }
        Value resolved = in.resolve(nv, u.span());
        if (!(low.sharedPaths.contains(target.name()) ? SharedWeights.update(in, target.name(), resolved)
                : low.output(target.name(), Graph.Output.Role.UPDATE, resolved)))
            throw in.error(u.span(), "'" + shown + "' is updated twice in one step", "combine the updates into one");
    }

    /** The path of the param or state that u updates. */
    private static String updateTarget(Interp in, UpdateStmt u, Env env, String shown) {
        Lowering low = in.lowering;
        if (u.target().size() == 1) {
            Val v = in.lookup(u.span(), u.target().get(0), env);
            String path = v instanceof TensorV t ? low.pathOf(t.v()) : null;
            if (path != null) return path;
            throw in.error(u.span(), "'" + shown + "' is " + Vals.kind(v) + ", not a param or state, so it cannot be updated",
                    "only values declared with 'param' or 'state' can be given new values");
        }
        if (low.declared.containsKey(shown)) return shown;
        String scope = in.frame.scopePath();
        if (!scope.isEmpty() && low.declared.containsKey(scope + "." + shown)) return scope + "." + shown;
        throw in.error(u.span(), "no param or state named '" + shown + "'", Names.didYouMean(shown, low.declared.keySet()));
    }

    // ---- outputs and losses --------------------------------------------------------------------

    private static void output(Interp in, OutputStmt s, Env env) {
        requireModelLevel(in, s.span(), "output");
        Val v;
        if (s.value() == null) {
            v = env.lookup(s.name());
            if (v == null)
                throw in.error(s.span(), "output of undefined variable '" + s.name() + "'",
                        Optional.ofNullable(Names.didYouMean(s.name(), env.visibleNames())).orElse("write output " + s.name() + " = <expression>"));
            if (v instanceof ErrorV) throw CompileError.poisoned();
        } else v = in.eval(s.value(), env);
        Span at = s.value() != null ? s.value().span() : s.span();
        if (!(v instanceof TensorV t)) throw in.error(at, "output '" + s.name() + "' must be a tensor, got " + Vals.kind(v));
        if (!in.lowering.output(s.name(), Graph.Output.Role.OUTPUT, in.resolve(t.v(), at)))
            throw in.error(s.span(), "duplicate output '" + s.name() + "'");
        env.define(s.name(), v);
    }

    private static void loss(Interp in, LossStmt s, Env env) {
        requireModelLevel(in, s.span(), "loss");
        String name = s.name() == null ? "loss" : s.name();
        Val v = in.eval(s.value(), env);
        Span at = s.value().span();
        if (!(v instanceof TensorV t)) throw in.error(at, "a loss must be a tensor, got " + Vals.kind(v));
        TensorType ty = t.v().type();
        if (ty.rank() != 0)
            throw in.error(at, "a loss must be a scalar, got " + ty, "reduce it, e.g. mean(...) or sum(...)");
        if (!ty.dtype().isFloating())
            throw in.error(at, "a loss must be a floating-point scalar, got " + ty, "cast it, e.g. cast(l, f32)");
        if (!in.lowering.output(name, Graph.Output.Role.LOSS, in.resolve(t.v(), at)))
            throw in.error(s.span(), "duplicate loss '" + name + "'", s.name() == null ? "name several losses: loss d_loss = ..." : null);
        if (s.name() != null) env.define(name, v);
    }
}
