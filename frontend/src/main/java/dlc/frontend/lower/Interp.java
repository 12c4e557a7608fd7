package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;

/**
 * The staging evaluator: evaluates expressions and statements at compile time. Compile-time
 * values fold; every tensor operation appends a node to the graph being built ({@link #ctx}).
 * Holds the state of the current evaluation: the call stack ({@link #frame}), the model
 * lowering in progress ({@link #lowering}, null at module level) and the reporter.
 */
public final class Interp {
    static final int MAX_DEPTH = 200;

    final Reporter reporter;
    final Env builtins;
    Frame frame = Frame.root("", "module");
    Lowering lowering;
    GraphCtx ctx;

    Interp(Reporter reporter) {
        this.reporter = reporter;
        this.builtins = BuiltinTable.env();
    }

    // ---- errors --------------------------------------------------------------------------------

    /** A diagnostic at span, with the current chain of inlined calls as notes. */
    CompileError error(Span span, String message, String hint) {
        return new CompileError(new Diagnostic(Diagnostic.Severity.ERROR, span, message, hint, frame.notes()));
    }

    CompileError error(Span span, String message) { return error(span, message, null); }

    // ---- graph emission ------------------------------------------------------------------------

    /** The graph being built; an error when evaluating outside a model. */
    GraphCtx graph(Span span) {
        if (ctx == null)
            throw error(span, "tensor operations need a model: this runs at module level",
                    "call this from a def used inside a model");
        return ctx;
    }

    Value resolve(Value v, Span span) {
        Value r = graph(span).resolve(v);
        if (r == null)
            throw error(span, "this tensor belongs to another graph (" + v.type() + ")",
                    ctx.isRoot() && lowering != null && ctx == lowering.init.ctx
                            ? "a parameter initializer may use compile-time values only, not tensors of the model"
                            : "tensors cannot leave the scan body or initializer that made them");
        return r;
    }

    /** Adds one single-result op at span; shape errors become diagnostics at span. */
    Value emit(Span span, OpDef op, Attrs attrs, Value... operands) {
        return emitAll(span, op, attrs, List.of(), List.of(operands)).get(0);
    }

    Value emit(Span span, OpDef op, Value... operands) { return emit(span, op, Attrs.EMPTY, operands); }

    List<Value> emitAll(Span span, OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands) {
        GraphCtx g = graph(span);
        List<Value> in = new ArrayList<>();
        for (Value v : operands) in.add(resolve(v, span));
        try {
            return g.emit(span.loc(), op, attrs, regions, in);
        } catch (ShapeException e) {
            throw error(span, e.getMessage(), e.hint());
        } catch (IllegalArgumentException e) {
            throw error(span, e.getMessage(), null);
        } catch (ArithmeticException e) { // exact dim arithmetic: a size beyond 64 bits, a division by a zero dim
            throw error(span, e.getMessage(), "choose smaller sizes");
        }
    }

    /** A rank-0 constant of dtype holding a compile-time number or bool. */
    Value scalar(Span span, Val v, DType dtype) {
        double x;
        if (v instanceof BoolV b) {
            if (dtype != DType.BOOL)
                throw error(span, "the bool " + b.v() + " cannot meet a " + dtype + " tensor", "cast the tensor to bool, or use 1 / 0");
            x = b.v() ? 1 : 0;
        } else if (v instanceof IntV || v instanceof FloatV) {
            x = Vals.num(v);
            if (dtype == DType.BOOL)
                throw error(span, "the number " + Vals.show(v) + " cannot meet a bool tensor", "use true or false, or cast the tensor");
            if (dtype.isInteger() && (x != Math.rint(x) || Double.isInfinite(x)))
                throw error(span, "the float " + Vals.show(v) + " cannot become an " + dtype + " value without rounding",
                        "cast the tensor to a float type first, e.g. cast(x, f32)");
            if (dtype.isInteger() && dlc.numerics.Ints.wrap((long) x, dtype.intKind()) != x)
                throw error(span, "the integer " + Vals.show(v) + " is out of range for dtype " + dtype,
                        "use a wider dtype, e.g. cast(x, i64), or write the value that wraps");
        } else if (v instanceof DimV d) {
            return dimValue(span, d.d(), dtype);
        } else {
            throw error(span, "expected a tensor or a number, got " + Vals.kind(v));
        }
        return constant(span, dtype, Shape.SCALAR, List.of(x));
    }

    /**
     * The run-time value of a symbolic dim as a scalar of dtype: the sum of a vector of d ones,
     * which the interpreter and backends size from the bound symbols (x / B, T - 1 as a tensor).
     */
    private Value dimValue(Span span, Dim d, DType dtype) {
        if (dtype == DType.BOOL)
            throw error(span, "the dim " + d + " cannot meet a bool tensor");
        Value one = constant(span, dtype, Shape.SCALAR, List.of(1.0));
        Value ones = emit(span, Ops.BROADCAST_TO, Attrs.of("shape", new Shape(List.of(d))), one);
        return emit(span, Ops.SUM, Attrs.of("axes", List.of(0L), "keepdims", false), ones);
    }

    Value constant(Span span, DType dtype, Shape shape, List<Double> values) {
        return emit(span, Ops.CONSTANT, Attrs.of("dtype", dtype, "shape", shape, "values", values));
    }

    /** v as a tensor; numbers and bools become scalars of dtype like (f32 for numbers when like is null). */
    Value tensorOf(Span span, Val v, DType like) {
        if (v instanceof TensorV t) return t.v();
        return scalar(span, v, like != null ? like : v instanceof BoolV ? DType.BOOL : DType.F32);
    }

    // ---- names ---------------------------------------------------------------------------------

    Val lookup(Span span, String name, Env env) {
        Val v = env.lookup(name);
        if (v == null && name.equals("training")) {
            if (lowering == null)
                throw error(span, "'training' is only known while lowering a model", "use it inside a def or a model");
            return BoolV.of(lowering.training);
        }
        if (v == null) {
            List<String> cands = new ArrayList<>(env.visibleNames());
            cands.add("training");
            throw error(span, "unknown name '" + name + "'", Names.didYouMean(name, cands));
        }
        if (v instanceof ErrorV) throw CompileError.poisoned();
        return v;
    }

    // ---- expressions ---------------------------------------------------------------------------

    Val eval(Expr e, Env env) {
        if (e instanceof IntLit i) return new IntV(i.value());
        if (e instanceof FloatLit f) return new FloatV(f.value());
        if (e instanceof StringLit s) return new StrV(s.value());
        if (e instanceof BoolLit b) return BoolV.of(b.value());
        if (e instanceof InfLit) return new FloatV(Double.POSITIVE_INFINITY);
        if (e instanceof Name n) return lookup(n.span(), n.name(), env);
        if (e instanceof DTypeRef d) return new DTypeV(DType.fromText(d.dtype()));
        if (e instanceof TupleExpr t) return new SeqV(evalAll(t.items(), env), false);
        if (e instanceof ListExpr l) return new SeqV(evalAll(l.items(), env), true);
        try {
            if (e instanceof Binary b) return Operators.binary(this, b, env);
            if (e instanceof Unary u) return Operators.unary(this, u, eval(u.operand(), env));
            if (e instanceof Call c) return Calls.evalCall(this, c, env);
            if (e instanceof Index ix) return Indexing.index(this, ix, eval(ix.target(), env), env);
            if (e instanceof Member m) return Members.member(this, m, eval(m.target(), env));
        } catch (ArithmeticException outOfRange) {
            // exact dim arithmetic (an index, a slice bound or a size beyond 64 bits, a division by a
            // zero dim) wherever a builtin or operator computes one: at the innermost expression
            throw error(e.span(), outOfRange.getMessage(), "choose smaller sizes and indices");
        }
        if (e instanceof If i) return evalIf(i, env);
        if (e instanceof Lambda l) return new LambdaFn(l, env);
        throw new IllegalStateException("unknown expression " + e.getClass().getSimpleName());
    }

    private List<Val> evalAll(List<Expr> es, Env env) {
        List<Val> out = new ArrayList<>();
        for (Expr x : es) out.add(eval(x, env));
        return out;
    }

    private Val evalIf(If i, Env env) {
        Val c = eval(i.cond(), env);
        if (!(c instanceof BoolV b)) {
            String hint = c instanceof TensorV ? "'if' chooses at compile time; for a tensor condition use where(c, a, b)" : null;
            throw error(i.cond().span(), "'if' needs a compile-time bool, got " + Vals.kind(c), hint);
        }
        // branches run in the enclosing scope: `if training { rm <- m }` updates, assignments stay visible
        if (!b.v() && i.otherwise() == null) return NoneV.NONE; // `if c { ... }` without else
        return execBlock(b.v() ? i.then() : i.otherwise(), env, false);
    }

    // ---- statements ----------------------------------------------------------------------------

    /**
     * Runs a block's statements in env and returns the value of its last expression statement
     * (none otherwise). When recover is true (a model body) a failed statement is reported, its
     * names are bound to the error value and the block goes on, so one run finds several
     * mistakes. Otherwise (def, lambda and if bodies, which are inlined as a unit) the first
     * failure is reported and the whole block fails silently: later statements would mostly
     * repeat the same mistake.
     */
    Val execBlock(Block b, Env env, boolean recover) {
        Val last = NoneV.NONE;
        for (Stmt s : b.stmts()) {
            try {
                last = exec(s, env);
            } catch (CompileError e) {
                if (!recover) throw e;
                reporter.report(e);
                bindError(s, env);
                last = ErrorV.ERROR;
            }
        }
        return last;
    }

    private void bindError(Stmt s, Env env) {
        if (s instanceof AssignStmt a) for (Pattern p : a.targets()) Patterns.bindError(p, env);
        else if (s instanceof ParamStmt p) env.define(p.name(), ErrorV.ERROR);
        else if (s instanceof StateStmt p) env.define(p.name(), ErrorV.ERROR);
        else if (s instanceof InputStmt p) env.define(p.name(), ErrorV.ERROR);
        else if (s instanceof OutputStmt p && p.value() != null) env.define(p.name(), ErrorV.ERROR);
        else if (s instanceof LossStmt p && p.name() != null) env.define(p.name(), ErrorV.ERROR);
    }

    /** Runs one statement; returns the value of an expression statement, none for the others. */
    Val exec(Stmt s, Env env) {
        if (s instanceof ExprStmt e) return eval(e.expr(), env);
        if (s instanceof AssignStmt a) {
            Val v = eval(a.value(), env);
            if (a.targets().size() == 1) Patterns.bind(this, a.targets().get(0), v, env);
            else Patterns.bind(this, new TuplePattern(a.span(), a.targets()), v, env);
            return NoneV.NONE;
        }
        if (s instanceof ReturnStmt r) {
            if (frame.isRoot()) throw error(r.span(), "'return' outside a def or lambda");
            throw new ReturnSignal(r.value() == null ? NoneV.NONE : eval(r.value(), env));
        }
        if (lowering == null)
            throw error(s.span(), "this statement only runs while a model is lowered, but this code runs at module level",
                    "call the def that holds it from a model, not from a const");
        ModelStmts.exec(this, s, env);
        return NoneV.NONE;
    }
}
