package dlc.codegen.jvm;

import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * A training-step-shaped graph built from the movement, index and random ops, with its gradient
 * from autodiff (which brings scatter_add, pad, the iota/slice/scatter_add of a strided slice's
 * VJP, reverse, argmax + iota + eq for max, broadcasts and sums), compiled by the real backend
 * (standard pipeline and unoptimized) and compared with the interpreter by {@link Agreement}.
 */
class MovementGradientJvmTest {
    private static Graph model() {
        Dim b = Dim.sym("B"), t = Dim.sym("T");
        GraphBuilder g = new GraphBuilder("movement_grad");
        Value table = g.input("table", TensorType.of(DType.F32, 7, 4), Value.Role.PARAM);
        Value ids = g.input("ids", new TensorType(DType.I64, Shape.of(b, t)), Value.Role.INPUT);
        Value key = g.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value e = g.op(Ops.GATHER, Attrs.of("axis", 0L), table, ids);                                   // [B, T, 4]
        Value p = g.op(Ops.PERMUTE, Attrs.of("perm", List.of(0L, 2L, 1L)), e);                          // [B, 4, T]
        Value s = g.op(Ops.SLICE, Attrs.of("starts", Shape.of(Dim.of(0), Dim.of(1), Dim.of(0)),
                "stops", Shape.of(b, Dim.of(4), t), "steps", List.of(1L, 2L, 1L)), p);                 // [B, 2, T]
        Value r = g.op(Ops.REVERSE, Attrs.of("axes", List.of(2L)), s);
        Value c = g.op(Ops.CONCAT, Attrs.of("axis", 1L), r, s, p);                                       // [B, 8, T]
        Value q = g.op(Ops.PAD, Attrs.of("low", List.of(0L, 1L, 0L), "high", List.of(0L, 0L, 1L)), c);   // [B, 9, T+1]
        Value k = g.op(Ops.RNG_FOLD, Attrs.of("salt", 5L), key);
        Value u = g.op(Ops.RANDOM_UNIFORM, Attrs.of("shape", Shape.of(b, Dim.of(9), t.plus(1))), k);
        Value half = g.op(Ops.CONSTANT, Attrs.of("dtype", DType.F32, "shape", Shape.SCALAR, "values", List.of(0.5)));
        Value kept = g.op(Ops.WHERE, g.op(Ops.LT, u, half), q, g.op(Ops.MUL, q, half));
        Value noise = g.op(Ops.RANDOM_NORMAL, Attrs.of("shape", Shape.of(Dim.of(9), t.plus(1)), "std", 0.1), k);
        Value z = g.op(Ops.TANH, g.op(Ops.ADD, kept, noise));
        Value sq = g.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L, 2L)), g.op(Ops.MUL, z, z));
        Value mx = g.op(Ops.MEAN, Attrs.of("axes", List.of(0L, 1L)), g.op(Ops.MAX, Attrs.of("axes", List.of(1L)), z));
        Value loss = g.op(Ops.ADD, sq, mx);
        g.output("loss", Graph.Output.Role.LOSS, loss);
        g.output("picked", Graph.Output.Role.OUTPUT, g.op(Ops.ARGMAX, Attrs.of("axis", 1L), z));
        return new Autodiff().gradients(g.build(), "loss", List.of("table"));
    }

    @Test
    void optimizedTrainingStepAgrees() {
        Agreement.check(model(), Map.of("B", 3L, "T", 5L), 21, true);
    }

    @Test
    void unoptimizedTrainingStepAgrees() {
        Agreement.check(model(), Map.of("B", 2L, "T", 6L), 22, false);
    }

    @Test
    void emptySequenceAgrees() {
        Agreement.check(model(), Map.of("B", 2L, "T", 0L), 23, true);
    }
}
