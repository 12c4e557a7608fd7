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
 * Matmul graphs compiled by the real backend ({@link JvmCompiler}, standard pipeline and
 * unoptimized) against the float64 interpreter via {@link Agreement} (its tolerance comment
 * applies: float32 sums of at most a few hundred products). Covers 2-D with a symbolic batch,
 * rank-1 operands, broadcast batch dims, f64 and i32 storage, a dense layer with bias + relu, and
 * an MLP training step whose gradients are matmuls of permuted operands.
 */
class MatmulJvmTest {
    private static final Dim B = Dim.sym("B");

    private static void agree(Graph g, Map<String, Long> dims, long seed) {
        Agreement.check(g, dims, seed, true);
        Agreement.check(g, dims, seed + 1, false);
    }

    private static Graph single(TensorType a, TensorType b) {
        GraphBuilder g = new GraphBuilder("mm");
        Value x = g.input("a", a, Value.Role.INPUT), w = g.input("b", b, Value.Role.PARAM);
        g.output("y", Graph.Output.Role.OUTPUT, g.op(Ops.MATMUL, x, w));
        return g.build();
    }

    @Test void twoDimensionalWithSymbolicBatch() {
        Graph g = single(new TensorType(DType.F32, Shape.of(B, Dim.of(37))), TensorType.of(DType.F32, 37, 45));
        for (long b : new long[]{1, 2, 7, 150}) agree(g, Map.of("B", b), 10 + b);
        agree(g, Map.of("B", 0L), 9); // an empty batch
    }

    @Test void rankOneOperands() {
        agree(single(TensorType.of(DType.F32, 9), TensorType.of(DType.F32, 9, 4)), Map.of(), 20);
        agree(single(TensorType.of(DType.F32, 4, 9), TensorType.of(DType.F32, 9)), Map.of(), 21);
        agree(single(TensorType.of(DType.F32, 9), TensorType.of(DType.F32, 9)), Map.of(), 22);
        agree(single(TensorType.of(DType.F64, 2, 3, 9), TensorType.of(DType.F64, 9)), Map.of(), 23);
    }

    @Test void broadcastBatchDimsAndDtypes() {
        for (DType t : new DType[]{DType.F32, DType.F64, DType.I32, DType.I64}) {
            agree(single(new TensorType(t, Shape.of(B, Dim.of(5), Dim.of(7))), TensorType.of(t, 7, 4)), Map.of("B", 3L), 30);
            agree(single(TensorType.of(t, 5, 7), new TensorType(t, Shape.of(B, Dim.of(7), Dim.of(4)))), Map.of("B", 3L), 31);
            agree(single(TensorType.of(t, 2, 1, 5, 7), TensorType.of(t, 3, 7, 4)), Map.of(), 32);
        }
    }

    /** x -> relu(x W1 + b1) W2 + b2, mean squared: the MLP of the reference workloads, scaled down. */
    private static Graph mlp(boolean train) {
        GraphBuilder g = new GraphBuilder(train ? "mlp_train" : "mlp");
        Value x = g.input("x", new TensorType(DType.F32, Shape.of(B, Dim.of(20))), Value.Role.INPUT);
        Value w1 = g.input("w1", TensorType.of(DType.F32, 20, 33), Value.Role.PARAM);
        Value b1 = g.input("b1", TensorType.of(DType.F32, 33), Value.Role.PARAM);
        Value w2 = g.input("w2", TensorType.of(DType.F32, 33, 5), Value.Role.PARAM);
        Value b2 = g.input("b2", TensorType.of(DType.F32, 5), Value.Role.PARAM);
        Value h = g.op(Ops.RELU, g.op(Ops.ADD, g.op(Ops.MATMUL, x, w1), b1));
        Value y = g.op(Ops.ADD, g.op(Ops.MATMUL, h, w2), b2);
        if (!train) {
            g.output("y", Graph.Output.Role.OUTPUT, y);
            return g.build();
        }
        Value loss = g.op(Ops.MEAN, Attrs.of("axes", List.of(0L, 1L)), g.op(Ops.MUL, y, y));
        g.output("loss", Graph.Output.Role.LOSS, loss);
        return new Autodiff().gradients(g.build(), "loss", List.of("w1", "b1", "w2", "b2"));
    }

    @Test void denseLayersWithBiasAndRelu() {
        agree(mlp(false), Map.of("B", 1L), 40);
        agree(mlp(false), Map.of("B", 64L), 41);
    }

    @Test void mlpTrainingStepGradients() {
        agree(mlp(true), Map.of("B", 1L), 50);
        agree(mlp(true), Map.of("B", 48L), 51);
    }
}
