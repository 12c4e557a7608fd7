package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Truncated BPTT on the linear recurrence h_{t+1} = a*h_t + x_t with loss h_T: without truncation
 * d loss / d x_t = a^(T-1-t); with truncate = k the carry entering every k-th step (in running
 * order) is a constant, so x_t gets a gradient only when no boundary lies between its step and the
 * end, and the initial carry none once a boundary exists.
 */
class TruncatedBpttTest {
    static final double A = 0.5;

    static Graph recurrence(int steps, Long truncate, boolean reverse) {
        GraphBuilder body = new GraphBuilder("cell");
        Value h = body.input("h", TensorType.of(DType.F64), Value.Role.INPUT);
        Value x = body.input("x", TensorType.of(DType.F64), Value.Role.INPUT);
        Value a = body.op(Ops.CONSTANT, Attrs.of("dtype", DType.F64, "shape", Shape.SCALAR, "values", List.of(A)));
        Value next = body.op(Ops.ADD, body.op(Ops.MUL, a, h), x);
        body.output("h", Graph.Output.Role.OUTPUT, next);
        body.output("y", Graph.Output.Role.OUTPUT, next);

        GraphBuilder b = new GraphBuilder("rnn");
        Value h0 = b.input("h0", TensorType.of(DType.F64), Value.Role.INPUT);
        Value xs = b.input("xs", TensorType.of(DType.F64, steps), Value.Role.INPUT);
        Attrs attrs = Attrs.of("num_carries", 1L, "num_xs", 1L, "axis", 0L, "reverse", reverse);
        if (truncate != null) attrs = attrs.with("truncate", truncate);
        List<Value> out = b.op(Ops.SCAN, attrs, List.of(body.build()), List.of(h0, xs));
        b.output("loss", Graph.Output.Role.LOSS, out.get(0));
        return b.build();
    }

    static Map<String, Tensor> grads(Graph g) {
        Graph grad = new Autodiff().gradients(g, "loss", List.of("h0", "xs"));
        return GradCheck.gradients(grad, Map.of("h0", Tensor.scalar(DType.F64, 1), "xs", Tensor.of(new int[]{5}, 1, 2, 3, 4, 5)));
    }

    @Test
    void withoutTruncationEveryStepGetsItsGradient() {
        Map<String, Tensor> g = grads(recurrence(5, null, false));
        assertArrayEquals(new double[]{A * A * A * A, A * A * A, A * A, A, 1}, g.get("xs").data(), 1e-15);
        assertEquals(Math.pow(A, 5), g.get("h0").item(), 1e-15);
    }

    @Test
    void truncationStopsGradientsAtChunkBoundaries() {
        // T = 5, k = 2: boundaries at the carries entering steps 2 and 4
        Map<String, Tensor> g = grads(recurrence(5, 2L, false));
        assertArrayEquals(new double[]{0, 0, 0, 0, 1}, g.get("xs").data(), 0);
        assertEquals(0, g.get("h0").item(), 0);
        // k = 3: boundary at step 3 only; x_3 and x_4 reach the loss
        Map<String, Tensor> g3 = grads(recurrence(5, 3L, false));
        assertArrayEquals(new double[]{0, 0, 0, A, 1}, g3.get("xs").data(), 0);
        // k >= T: no boundary, the full gradient
        assertArrayEquals(grads(recurrence(5, null, false)).get("xs").data(), grads(recurrence(5, 5L, false)).get("xs").data(), 0);
    }

    @Test
    void reverseScansCountChunksInRunningOrder() {
        // running order is t = 4, 3, ..., 0; with k = 2 the boundaries are the carries entering t = 2 and t = 0
        Map<String, Tensor> g = grads(recurrence(5, 2L, true));
        assertArrayEquals(new double[]{1, 0, 0, 0, 0}, g.get("xs").data(), 0);
        Map<String, Tensor> full = grads(recurrence(5, null, true));
        assertArrayEquals(new double[]{1, A, A * A, A * A * A, A * A * A * A}, full.get("xs").data(), 1e-15);
    }

    @Test
    void forwardValuesDoNotDependOnTruncation() {
        Map<String, Tensor> in = Map.of("h0", Tensor.scalar(DType.F64, 1), "xs", Tensor.of(new int[]{5}, 1, 2, 3, 4, 5));
        assertEquals(dlc.ir.eval.Interpreter.run(recurrence(5, null, false), in).get("loss").item(),
                dlc.ir.eval.Interpreter.run(recurrence(5, 2L, false), in).get("loss").item(), 0);
    }

    @Test
    void truncateMustBePositive() {
        ShapeException e = assertThrows(ShapeException.class, () -> recurrence(5, 0L, false));
        assertTrue(e.getMessage().contains("truncate"), e.getMessage());
    }
}
