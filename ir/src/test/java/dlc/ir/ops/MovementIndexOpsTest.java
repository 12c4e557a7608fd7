package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dlc.ir.ops.ReduceMovementTestSupport.*;
import static dlc.ir.ops.ReduceOpsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.*;

/** gather, scatter_add, constant and iota. */
class MovementIndexOpsTest {
    // rows 0..2 of an embedding table: [[1, 2], [3, 4], [5, 6]]
    private static final Tensor E = t(dims(3, 2), 1, 2, 3, 4, 5, 6);

    private static Tensor i32(int[] shape, double... v) { return t(DType.I32, shape, v); }

    // ---- gather ----

    @Test
    void gatherSelectsRowsLikeAnEmbedding() {
        assertEquals(t(dims(3, 2), 5, 6, 1, 2, 5, 6), run(Ops.GATHER, Attrs.of("axis", 0L), E, i32(dims(3), 2, 0, 2)));
        assertEquals(t(dims(2), 3, 4), run(Ops.GATHER, Attrs.of("axis", 0L), E, i32(dims(), 1)));
        assertEquals(t(dims(0, 2)), run(Ops.GATHER, Attrs.of("axis", 0L), E, i32(dims(0))));
        // a 2-d index tensor inserts its shape in place of the axis
        Tensor idx = t(DType.I64, dims(2, 2), 1, 0, 0, 0);
        assertEquals(t(dims(3, 2, 2), 2, 1, 1, 1, 4, 3, 3, 3, 6, 5, 5, 5), run(Ops.GATHER, Attrs.of("axis", 1L), E, idx));
    }

    @Test
    void negativeIndicesCountFromTheEndInGatherAndScatterAdd() {
        // NumPy: E[[-1, -3, 1]] and E[:, [-1]]; u8 and i8 indices need no cast
        assertEquals(t(dims(3, 2), 5, 6, 1, 2, 3, 4), run(Ops.GATHER, Attrs.of("axis", 0L), E, t(DType.I8, dims(3), -1, -3, 1)));
        assertEquals(t(dims(3, 1), 2, 4, 6), run(Ops.GATHER, Attrs.of("axis", 1L), E, i32(dims(1), -1)));
        assertEquals(t(dims(1, 2), 5, 6), run(Ops.GATHER, Attrs.of("axis", 0L), E, t(DType.U8, dims(1), 2)));
        // the adjoint adds where gather read: -1 and 2 are the same row
        assertEquals(t(dims(3), 0, 0, 3), run(Ops.SCATTER_ADD, Attrs.of("axis", 0L), t(dims(3), 0, 0, 0), i32(dims(2), -1, 2), t(dims(2), 1, 2)));
    }

    @Test
    void gatherShapeRuleWithSymbols() {
        TensorType out = infer(Ops.GATHER, Attrs.of("axis", 0L), f64("V", "E"), type(DType.I32, "B", "T"));
        assertEquals(f64("B", "T", "E"), out);
        assertEquals(f64("N", "K", "C"), infer(Ops.GATHER, Attrs.of("axis", 1L), f64("N", "V", "C"), type(DType.I64, "K")));
    }

    @Test
    void gatherRejectsBadIndices() {
        assertMessage(() -> run(Ops.GATHER, Attrs.of("axis", 0L), E, i32(dims(2), 0, 3)), "gather index 3 is out of range for an axis of size 3 (valid: -3 to 2)");
        assertMessage(() -> run(Ops.GATHER, Attrs.of("axis", 1L), E, i32(dims(1), -3)), "gather index -3 is out of range for an axis of size 2 (valid: -2 to 1)");
        assertMessage(() -> infer(Ops.GATHER, Attrs.of("axis", 0L), f64(3), f64(2)), "needs integer indices, got f64[2]");
        assertMessage(() -> infer(Ops.GATHER, Attrs.of("axis", 1L), f64(3), type(DType.I32, 2)), "axis 1 is out of range for f64[3]");
        assertMessage(() -> infer(Ops.GATHER, Attrs.of("axis", 0L), f64(3)), "takes 2 operands");
    }

    @Test
    void gatherOutOfRangeIsAnIllegalArgumentFromTheOpItself() {
        dlc.ir.eval.EvalContext ctx = new dlc.ir.eval.EvalContext() {
            @Override public int[] resolve(Shape s) { return s.eval(java.util.Map.of()); }

            @Override public Tensor[] run(Graph g, Tensor... args) { throw new AssertionError("gather runs no nested graph"); }
        };
        var e = assertThrows(IllegalArgumentException.class,
                () -> Ops.GATHER.eval(new Tensor[]{E, i32(dims(1), 7)}, Attrs.of("axis", 0L), List.of(), ctx));
        assertEquals("gather index 7 is out of range for an axis of size 3 (valid: -3 to 2)", e.getMessage());
    }

    // ---- scatter_add ----

    @Test
    void scatterAddAccumulatesDuplicates() {
        Tensor base = t(dims(3, 2), 0, 0, 0, 0, 100, 100);
        Tensor upd = t(dims(3, 2), 1, 2, 3, 4, 5, 6);
        assertEquals(t(dims(3, 2), 3, 4, 0, 0, 106, 108),
                run(Ops.SCATTER_ADD, Attrs.of("axis", 0L), base, i32(dims(3), 2, 0, 2), upd));
        // along axis 1 with a scalar index: updates have shape [3]
        assertEquals(t(dims(3, 2), 0, 1, 0, 2, 100, 103),
                run(Ops.SCATTER_ADD, Attrs.of("axis", 1L), base, i32(dims(), 1), t(dims(3), 1, 2, 3)));
        // no indices: base unchanged
        assertEquals(base, run(Ops.SCATTER_ADD, Attrs.of("axis", 0L), base, i32(dims(0)), t(dims(0, 2))));
    }

    @Test
    void scatterAddChecksShapesAndIndices() {
        assertMessage(() -> infer(Ops.SCATTER_ADD, Attrs.of("axis", 0L), f64(3, 2), type(DType.I32, 4), f64(4, 3)),
                "scatter_add updates have shape [4, 3], but base [3, 2] indexed along axis 0 by [4] needs [4, 2]");
        assertMessage(() -> infer(Ops.SCATTER_ADD, Attrs.of("axis", 0L), f64(3), type(DType.I32, 1), type(DType.F32, 1)),
                "differ in dtype");
        assertMessage(() -> infer(Ops.SCATTER_ADD, Attrs.of("axis", 0L), f64(3), f64(1), f64(1)), "needs integer indices");
        assertMessage(() -> infer(Ops.SCATTER_ADD, Attrs.of("axis", 0L), type(DType.BOOL, 3), type(DType.I32, 1), type(DType.BOOL, 1)),
                "numeric base");
        assertMessage(() -> run(Ops.SCATTER_ADD, Attrs.of("axis", 0L), t(dims(2), 0, 0), i32(dims(1), 2), t(dims(1), 1)),
                "scatter_add index 2 is out of range for an axis of size 2 (valid: -2 to 1)");
        assertEquals(f64("V", "E"), infer(Ops.SCATTER_ADD, Attrs.of("axis", 0L), f64("V", "E"), type(DType.I32, "B", "T"), f64("B", "T", "E")));
    }

    // ---- constant ----

    private static Attrs constant(DType d, Shape s, double... values) {
        return Attrs.of("dtype", d, "shape", s, "values", values);
    }

    @Test
    void constantFillsOrListsValues() {
        assertEquals(t(dims(2, 2), 1.5, 1.5, 1.5, 1.5), run(Ops.CONSTANT, constant(DType.F64, shape(2, 2), 1.5)));
        assertEquals(t(dims(3), 1, -2, 3), run(Ops.CONSTANT, constant(DType.F64, shape(3), 1, -2, 3)));
        assertEquals(t(DType.I32, dims(), 4), run(Ops.CONSTANT, constant(DType.I32, shape(), 4)));
        assertEquals(t(DType.BOOL, dims(2), 1, 0), run(Ops.CONSTANT, constant(DType.BOOL, shape(2), 1, 0)));
        assertEquals(t(dims(0)), run(Ops.CONSTANT, constant(DType.F64, shape(0))));
        assertEquals(t(dims(0)), run(Ops.CONSTANT, constant(DType.F64, shape(0), 5)));
        assertEquals(t(dims(1), Double.NEGATIVE_INFINITY), run(Ops.CONSTANT, constant(DType.F64, shape(1), Double.NEGATIVE_INFINITY)));
        // integer-valued lists arrive as List<Long> after Attrs normalization; still accepted
        assertEquals(t(DType.I64, dims(2), 7, 8), run(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", shape(2), "values", List.of(7, 8))));
    }

    @Test
    void constantRejectsBadAttributes() {
        assertMessage(() -> infer(Ops.CONSTANT, constant(DType.F64, shape("B"), 1)), "constant needs a concrete shape, got [B]");
        assertMessage(() -> infer(Ops.CONSTANT, constant(DType.F64, shape(3), 1, 2)), "constant of shape [3] needs 1 or 3 values, got 2");
        assertMessage(() -> infer(Ops.CONSTANT, constant(DType.I32, shape(1), 0.5)), "constant value 0.5 is not a i32 value");
        assertMessage(() -> infer(Ops.CONSTANT, constant(DType.BOOL, shape(1), 2)), "is not a bool value");
        assertMessage(() -> infer(Ops.CONSTANT, Attrs.of("shape", shape(1), "values", new double[]{1})), "dtype attribute 'dtype', got none");
        assertMessage(() -> infer(Ops.CONSTANT, Attrs.of("dtype", DType.F64, "shape", shape(1))), "number-list attribute 'values', got none");
        assertMessage(() -> infer(Ops.CONSTANT, constant(DType.F64, shape(1), 1), f64(1)), "takes 0 operands");
    }

    // ---- iota ----

    private static Attrs iota(DType d, Shape s, long axis) {
        return Attrs.of("dtype", d, "shape", s, "axis", axis);
    }

    @Test
    void iotaCountsAlongItsAxis() {
        assertEquals(t(DType.I32, dims(2, 3), 0, 0, 0, 1, 1, 1), run(Ops.IOTA, iota(DType.I32, shape(2, 3), 0)));
        assertEquals(t(DType.I32, dims(2, 3), 0, 1, 2, 0, 1, 2), run(Ops.IOTA, iota(DType.I32, shape(2, 3), 1)));
        assertEquals(t(DType.F32, dims(4), 0, 1, 2, 3), run(Ops.IOTA, iota(DType.F32, shape(4), 0)));
        assertEquals(t(DType.I64, dims(0, 3)), run(Ops.IOTA, iota(DType.I64, shape(0, 3), 1)));
    }

    @Test
    void iotaWithSymbolicShapeResolvesFromTheGraphInputs() {
        Attrs a = iota(DType.I64, shape("B", 4), 0);
        assertEquals(type(DType.I64, "B", 4), infer(Ops.IOTA, a));
        Tensor r = run(Ops.IOTA, a, List.of(f64("B")), List.of(t(dims(2), 0, 0)));
        assertEquals(t(DType.I64, dims(2, 4), 0, 0, 0, 0, 1, 1, 1, 1), r);
        Tensor pos = run(Ops.IOTA, iota(DType.I32, shape("T-1"), 0), List.of(f64("T")), List.of(t(dims(4), 0, 0, 0, 0)));
        assertEquals(t(DType.I32, dims(3), 0, 1, 2), pos);
    }

    @Test
    void iotaRejectsBadAttributes() {
        assertMessage(() -> infer(Ops.IOTA, iota(DType.BOOL, shape(2), 0)), "iota needs a numeric dtype, got bool");
        assertMessage(() -> infer(Ops.IOTA, iota(DType.I32, shape(2), 1)), "axis 1 is out of range for i32[2]");
        assertMessage(() -> infer(Ops.IOTA, iota(DType.I32, shape(), 0)), "out of range for i32[] (rank 0)");
        assertMessage(() -> infer(Ops.IOTA, iota(DType.I32, shape(-2), 0)), "negative dim");
    }
}
