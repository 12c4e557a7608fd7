package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dlc.ir.ops.ReduceMovementTestSupport.*;
import static dlc.ir.ops.ReduceOpsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.*;

/** reshape, permute, broadcast_to, slice, concat, pad, reverse; gather and friends are in MovementIndexOpsTest. */
class MovementOpsTest {
    // [[0, 1, 2], [3, 4, 5]]
    private static final Tensor M = t(dims(2, 3), 0, 1, 2, 3, 4, 5);

    // ---- reshape ----

    @Test
    void reshapeKeepsRowMajorOrder() {
        assertEquals(t(dims(3, 2), 0, 1, 2, 3, 4, 5), run(Ops.RESHAPE, Attrs.of("shape", shape(3, 2)), M));
        assertEquals(t(dims(6), 0, 1, 2, 3, 4, 5), run(Ops.RESHAPE, Attrs.of("shape", shape(6)), M));
        assertEquals(t(dims(), 7), run(Ops.RESHAPE, Attrs.of("shape", shape()), t(dims(1, 1), 7)));
        assertEquals(t(dims(1, 1), 7), run(Ops.RESHAPE, Attrs.of("shape", shape(1, 1)), t(dims(), 7)));
        assertEquals(t(dims(3, 0)), run(Ops.RESHAPE, Attrs.of("shape", shape(3, 0)), t(dims(0, 3))));
    }

    @Test
    void reshapeMergesSymbolicDims() {
        TensorType x = f64("B", "T", "F");
        assertEquals(f64("B*T", "F"), infer(Ops.RESHAPE, Attrs.of("shape", shape("B*T", "F")), x));
        assertEquals(f64("T*B*F"), infer(Ops.RESHAPE, Attrs.of("shape", shape("F*T*B")), x));
        Tensor r = run(Ops.RESHAPE, Attrs.of("shape", shape("B*T", "F")), List.of(x), t(dims(2, 1, 2), 1, 2, 3, 4));
        assertEquals(t(dims(2, 2), 1, 2, 3, 4), r);
    }

    @Test
    void reshapeRejectsDifferentElementCounts() {
        assertMessage(() -> infer(Ops.RESHAPE, Attrs.of("shape", shape(4, 2)), f64(2, 3)),
                "reshape cannot change the element count: [2, 3] has 6 elements, [4, 2] has 8");
        assertMessage(() -> infer(Ops.RESHAPE, Attrs.of("shape", shape("B", 4)), f64("B", "T")),
                "reshape [B, T] to [B, 4]: element counts B*T and 4*B are not provably equal");
        var e = assertThrows(ShapeException.class, () -> infer(Ops.RESHAPE, Attrs.of("shape", shape(-1, 3)), f64(2, 3)));
        assertTrue(e.getMessage().contains("negative dim") && e.hint().contains("-1"), e.getMessage());
        assertMessage(() -> infer(Ops.RESHAPE, Attrs.EMPTY, f64(2)), "shape attribute 'shape', got none");
    }

    // ---- permute ----

    @Test
    void permuteMovesAxes() {
        assertEquals(t(dims(3, 2), 0, 3, 1, 4, 2, 5), run(Ops.PERMUTE, Attrs.of("perm", new long[]{1, 0}), M));
        // x[0, j, k] = 3j + k; out[k, 0, j] = x[0, j, k]
        Tensor x = t(dims(1, 2, 3), 0, 1, 2, 3, 4, 5);
        assertEquals(t(dims(3, 1, 2), 0, 3, 1, 4, 2, 5), run(Ops.PERMUTE, Attrs.of("perm", new long[]{2, 0, 1}), x));
        assertEquals(t(dims(), 4), run(Ops.PERMUTE, Attrs.of("perm", new long[]{}), t(dims(), 4)));
        assertEquals(t(dims(2, 0)), run(Ops.PERMUTE, Attrs.of("perm", new long[]{1, 0}), t(dims(0, 2))));
        assertEquals(f64("B", "F", "T"), infer(Ops.PERMUTE, Attrs.of("perm", new long[]{0, 2, 1}), f64("B", "T", "F")));
    }

    @Test
    void permuteRejectsNonPermutations() {
        for (long[] bad : List.of(new long[]{0, 0}, new long[]{0}, new long[]{0, 2}, new long[]{-1, 0}, new long[]{0, 1, 2}))
            assertMessage(() -> infer(Ops.PERMUTE, Attrs.of("perm", bad), f64(2, 3)), "is not a permutation of the 2 axes of f64[2, 3]");
    }

    // ---- broadcast_to ----

    @Test
    void broadcastToRepeatsSizeOneAndMissingDims() {
        Tensor row = t(dims(3), 1, 2, 3), col = t(dims(2, 1), 1, 2);
        assertEquals(t(dims(2, 3), 1, 2, 3, 1, 2, 3), run(Ops.BROADCAST_TO, Attrs.of("shape", shape(2, 3)), row));
        assertEquals(t(dims(2, 3), 1, 1, 1, 2, 2, 2), run(Ops.BROADCAST_TO, Attrs.of("shape", shape(2, 3)), col));
        assertEquals(t(dims(2, 2), 5, 5, 5, 5), run(Ops.BROADCAST_TO, Attrs.of("shape", shape(2, 2)), t(dims(), 5)));
        assertEquals(t(dims(0, 3)), run(Ops.BROADCAST_TO, Attrs.of("shape", shape(0, 3)), row));
        assertEquals(t(dims(2, 0)), run(Ops.BROADCAST_TO, Attrs.of("shape", shape(2, 0)), t(dims(1), 9)));
    }

    @Test
    void broadcastToSymbolicTargetResolvesFromBoundSymbols() {
        TensorType bias = f64(1, 3);
        assertEquals(f64("B", 3), infer(Ops.BROADCAST_TO, Attrs.of("shape", shape("B", 3)), bias));
        assertEquals(f64("B", "F"), infer(Ops.BROADCAST_TO, Attrs.of("shape", shape("B", "F")), f64("F")));
        Tensor r = run(Ops.BROADCAST_TO, Attrs.of("shape", shape("B", 3)), List.of(bias, f64("B")),
                List.of(t(dims(2), 0, 0)), t(dims(1, 3), 1, 2, 3));
        assertEquals(t(dims(2, 3), 1, 2, 3, 1, 2, 3), r);
    }

    @Test
    void broadcastToRejectsIncompatibleShapes() {
        assertMessage(() -> infer(Ops.BROADCAST_TO, Attrs.of("shape", shape(2, 4)), f64(3)),
                "cannot broadcast f64[3] to [2, 4]: dim 0 is 3 vs 4");
        assertMessage(() -> infer(Ops.BROADCAST_TO, Attrs.of("shape", shape(3)), f64(2, 3)), "cannot lower the rank");
        assertMessage(() -> infer(Ops.BROADCAST_TO, Attrs.of("shape", shape(1)), f64("B")), "dim 0 is B vs 1");
        assertMessage(() -> infer(Ops.BROADCAST_TO, Attrs.of("shape", shape("T")), f64("B")), "dim 0 is B vs T");
    }

    // ---- slice ----

    private static Attrs slice(Shape starts, Shape stops, long... steps) {
        return Attrs.of("starts", starts, "stops", stops, "steps", steps);
    }

    @Test
    void sliceWithStepsByHand() {
        Tensor v = t(dims(5), 0, 1, 2, 3, 4);
        assertEquals(t(dims(3), 1, 2, 3), run(Ops.SLICE, slice(shape(1), shape(4), 1), v));
        assertEquals(t(dims(3), 0, 2, 4), run(Ops.SLICE, slice(shape(0), shape(5), 2), v));
        assertEquals(t(dims(2), 1, 3), run(Ops.SLICE, slice(shape(1), shape(5), 2), v));
        assertEquals(t(dims(1), 4), run(Ops.SLICE, slice(shape(4), shape(5), 7), v));
        assertEquals(t(dims(0)), run(Ops.SLICE, slice(shape(2), shape(2), 1), v));
        assertEquals(t(dims(2, 1), 1, 4), run(Ops.SLICE, slice(shape(0, 1), shape(2, 2), 1, 1), M));
        assertEquals(t(dims(1, 2), 3, 5), run(Ops.SLICE, slice(shape(1, 0), shape(2, 3), 1, 2), M));
        assertEquals(t(dims(), 3), run(Ops.SLICE, slice(shape(), shape()), t(dims(), 3)));
    }

    @Test
    void sliceWithSymbolicStop() {
        TensorType x = f64("B", "T", "F");
        Attrs shifted = slice(shape(0, 1, 0), shape("B", "T", "F"), 1, 1, 1);
        assertEquals(f64("B", "T-1", "F"), infer(Ops.SLICE, shifted, x));
        Tensor r = run(Ops.SLICE, shifted, List.of(x), t(dims(1, 3, 1), 10, 11, 12));
        assertEquals(t(dims(1, 2, 1), 11, 12), r);
        // (T - 0 + 2) / 3 elements with step 3: T = 4 gives indices 0 and 3
        Attrs every3 = slice(shape(0), shape("T"), 3);
        TensorType out = infer(Ops.SLICE, every3, f64("T"));
        assertEquals(2, out.shape().dim(0).eval(java.util.Map.of("T", 4L)));
        assertEquals(t(dims(2), 0, 3), run(Ops.SLICE, every3, List.of(f64("T")), t(dims(4), 0, 1, 2, 3)));
    }

    @Test
    void sliceRejectsBadBounds() {
        TensorType x = f64(5);
        assertMessage(() -> infer(Ops.SLICE, slice(shape(0), shape(5), 0), x), "step must be >= 1");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(-1), shape(5), 1), x), "start is negative");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(3), shape(2), 1), x), "stop is before start");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(0), shape(6), 1), x), "stop is past the dim 5");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(0), shape("T+1"), 1), f64("T")), "stop is past the dim T");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(6), shape("S"), 1), x), "start is past the dim 5");
        assertMessage(() -> infer(Ops.SLICE, slice(shape(0, 0), shape(5, 5), 1, 1), x), "one start, stop and step per axis");
        assertMessage(() -> infer(Ops.SLICE, Attrs.of("starts", new long[]{0}, "stops", shape(5), "steps", new long[]{1}), x),
                "shape attribute 'starts', got [0]");
        // undecidable at compile time (stop S vs dim T), caught when S and T are bound
        assertMessage(() -> run(Ops.SLICE, slice(shape(0), shape("S"), 1), List.of(f64("T"), f64("S")),
                List.of(t(dims(4), 0, 0, 0, 0)), t(dims(3), 1, 2, 3)), "slice axis 0 [0:4] is out of range for size 3");
    }

    // ---- concat ----

    @Test
    void concatJoinsAlongAxis() {
        Tensor a = t(dims(2, 1), 1, 2), b = t(dims(2, 2), 3, 4, 5, 6);
        assertEquals(t(dims(2, 3), 1, 3, 4, 2, 5, 6), run(Ops.CONCAT, Attrs.of("axis", 1L), a, b));
        assertEquals(t(dims(5), 1, 2, 3, 4, 5),
                run(Ops.CONCAT, Attrs.of("axis", 0L), t(dims(2), 1, 2), t(dims(0)), t(dims(3), 3, 4, 5)));
        assertEquals(t(dims(3, 2), 3, 4, 5, 6, 7, 8),
                run(Ops.CONCAT, Attrs.of("axis", 0L), b, t(dims(1, 2), 7, 8)));
        assertEquals(a, run(Ops.CONCAT, Attrs.of("axis", 1L), a));
        assertEquals(f64("B", "T+1"), infer(Ops.CONCAT, Attrs.of("axis", 1L), f64("B", "T"), f64("B", 1)));
        assertEquals(f64("2*H"), infer(Ops.CONCAT, Attrs.of("axis", 0L), f64("H"), f64("H")));
    }

    @Test
    void concatRejectsMismatches() {
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 0L)), "at least one operand");
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 0L), f64(2), type(DType.F32, 2)), "differ in dtype or rank");
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 0L), f64(2), f64(2, 1)), "differ in dtype or rank");
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 1L), f64(2, 1), f64(3, 1)),
                "concat along axis 1: f64[2, 1] and f64[3, 1] differ in dim 0");
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 2L), f64(2, 1)), "axis 2 is out of range");
        assertMessage(() -> infer(Ops.CONCAT, Attrs.of("axis", 0L), f64(), f64()), "out of range for f64[] (rank 0)");
    }

    // ---- pad ----

    private static Attrs pad(long[] low, long[] high, double value) {
        return Attrs.of("low", low, "high", high, "value", value);
    }

    @Test
    void padWithConstants() {
        assertEquals(t(dims(5), 0, 1, 2, 0, 0), run(Ops.PAD, pad(new long[]{1}, new long[]{2}, 0), t(dims(2), 1, 2)));
        double ninf = Double.NEGATIVE_INFINITY;
        assertEquals(t(dims(3, 3), ninf, ninf, ninf, 0, 1, 2, 3, 4, 5),
                run(Ops.PAD, pad(new long[]{1, 0}, new long[]{0, 0}, ninf), M));
        assertEquals(t(dims(2, 4), 0, 1, 2, 9, 3, 4, 5, 9), run(Ops.PAD, pad(new long[]{0, 0}, new long[]{0, 1}, 9), M));
        assertEquals(t(dims(2), 7, 7), run(Ops.PAD, pad(new long[]{1}, new long[]{1}, 7), t(dims(0))));
        assertEquals(t(dims(), 3), run(Ops.PAD, pad(new long[]{}, new long[]{}, 1), t(dims(), 3)));
        assertEquals(t(dims(3), 0, 1, 0), run(Ops.PAD, Attrs.of("low", new long[]{1}, "high", new long[]{1}), t(dims(1), 1)));
        assertEquals(f64("T+3"), infer(Ops.PAD, pad(new long[]{1}, new long[]{2}, 0), f64("T")));
        assertEquals(t(DType.I32, dims(3), 1, -4, -4), run(Ops.PAD, pad(new long[]{0}, new long[]{2}, -4), t(DType.I32, dims(1), 1)));
    }

    @Test
    void padRejectsBadCountsAndValues() {
        assertMessage(() -> infer(Ops.PAD, pad(new long[]{-1}, new long[]{0}, 0), f64(2)), "pad counts must be non-negative");
        assertMessage(() -> infer(Ops.PAD, pad(new long[]{1}, new long[]{0, 0}, 0), f64(2)), "one low and one high count per axis");
        assertMessage(() -> infer(Ops.PAD, pad(new long[]{1}, new long[]{1}, 0.5), type(DType.I32, 2)), "pad value 0.5 is not a i32 value");
        assertMessage(() -> infer(Ops.PAD, pad(new long[]{1}, new long[]{1}, 2), type(DType.BOOL, 2)), "is not a bool value");
        assertMessage(() -> infer(Ops.PAD, Attrs.of("low", new long[]{0}, "high", new long[]{0}, "value", "x"), f64(2)),
                "pad value must be a number");
    }

    // ---- reverse ----

    @Test
    void reverseFlipsListedAxes() {
        assertEquals(t(dims(2, 3), 2, 1, 0, 5, 4, 3), run(Ops.REVERSE, Attrs.of("axes", new long[]{1}), M));
        assertEquals(t(dims(2, 3), 3, 4, 5, 0, 1, 2), run(Ops.REVERSE, Attrs.of("axes", new long[]{0}), M));
        assertEquals(t(dims(2, 3), 5, 4, 3, 2, 1, 0), run(Ops.REVERSE, Attrs.of("axes", new long[]{0, 1}), M));
        assertEquals(M, run(Ops.REVERSE, Attrs.of("axes", new long[]{}), M));
        assertEquals(t(dims(0, 2)), run(Ops.REVERSE, Attrs.of("axes", new long[]{0}), t(dims(0, 2))));
        assertEquals(f64("T", "B"), infer(Ops.REVERSE, Attrs.of("axes", new long[]{0}), f64("T", "B")));
        assertMessage(() -> infer(Ops.REVERSE, Attrs.of("axes", new long[]{2}), f64(2, 3)), "axis 2 is out of range");
        assertMessage(() -> infer(Ops.REVERSE, Attrs.of("axes", new long[]{1, 1}), f64(2, 3)), "sorted and unique");
    }

    @Test
    void movementKindsFollowTheFusionLattice() {
        for (OpDef op : List.of(Ops.RESHAPE, Ops.PERMUTE, Ops.SLICE, Ops.CONCAT, Ops.PAD, Ops.REVERSE, Ops.GATHER, Ops.IOTA, Ops.CONSTANT))
            assertEquals(OpDef.Kind.INJECTIVE, op.kind(), op.name());
        assertEquals(OpDef.Kind.BROADCAST, Ops.BROADCAST_TO.kind());
        assertEquals(OpDef.Kind.OPAQUE, Ops.SCATTER_ADD.kind());
    }
}
