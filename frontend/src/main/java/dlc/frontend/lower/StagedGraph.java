package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.FnV;
import dlc.ir.*;

import java.util.List;

/**
 * A graph under construction for {@link Staging}: nodes copied from another graph, ops emitted
 * directly, and calls of .dl function values staged into it by the evaluator.
 */
public final class StagedGraph {
    private final Staging staging;
    private final GraphCtx ctx;

    StagedGraph(Staging staging, GraphCtx ctx) {
        this.staging = staging;
        this.ctx = ctx;
    }

    /** Adds a graph input. The input named {@code rng} (an i64[]) becomes the key random builtins draw from. */
    public Value input(String name, TensorType type, Value.Role role) {
        Value v = ctx.input(name, type, role);
        if (name.equals(ModelStmts.RNG) && type.equals(TensorType.scalar(DType.I64))) ctx.adoptKey(v);
        return v;
    }

    /** Adds a node of op (as a pass that copies nodes does); operands must belong to this graph. */
    public List<Value> emit(SourceLoc loc, OpDef op, Attrs attrs, List<Graph> regions, List<Value> operands) {
        return ctx.emit(loc, op, attrs, regions, operands);
    }

    /** Adds a single-result op at loc. */
    public Value emit(SourceLoc loc, OpDef op, Attrs attrs, Value... operands) {
        return emit(loc, op, attrs, List.of(), List.of(operands)).get(0);
    }

    /**
     * Calls fn with positional arguments args (tensors of this graph as {@link Val.TensorV},
     * or any compile-time values) the way a call written at span would run in a model, with its
     * tensor operations added to this graph. Model statements (param, state, input, updates)
     * cannot run here.
     *
     * @param site names the call for random streams and is the root of its scope
     * @throws CompileError for a mistake in the called code (report it with {@link Staging#report})
     */
    public Val call(FnV fn, List<Val> args, Span span, String site) {
        Interp in = staging.in;
        GraphCtx savedCtx = in.ctx;
        Frame savedFrame = in.frame;
        Lowering savedLowering = in.lowering;
        in.ctx = ctx;
        in.frame = Frame.root("", site);
        in.lowering = null;
        try {
            return Calls.callPositional(in, fn, args, span);
        } catch (ReturnSignal r) {
            return r.value;
        } finally {
            in.ctx = savedCtx;
            in.frame = savedFrame;
            in.lowering = savedLowering;
        }
    }

    /** Adds a named output. */
    public void output(String name, Graph.Output.Role role, Value v) { ctx.builder.output(name, role, v); }

    public Graph build() { return ctx.builder.build(); }
}
