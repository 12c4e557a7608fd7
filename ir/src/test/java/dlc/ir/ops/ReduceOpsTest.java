package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.ir.ops.ReduceMovementTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class ReduceOpsTest {
    // [[1, 2, 3], [4, 5, 6]]
    private static final Tensor M = t(dims(2, 3), 1, 2, 3, 4, 5, 6);

    private static Attrs axes(long... a) { return Attrs.of("axes", a); }

    @Test
    void sumOverEachAxisAndAll() {
        assertEquals(t(dims(2), 6, 15), run(Ops.SUM, axes(1), M));
        assertEquals(t(dims(3), 5, 7, 9), run(Ops.SUM, axes(0), M));
        assertEquals(t(dims(), 21), run(Ops.SUM, axes(0, 1), M));
        assertEquals(t(dims(2, 1), 6, 15), run(Ops.SUM, axes(1).with("keepdims", true), M));
        assertEquals(t(dims(1, 1), 21), run(Ops.SUM, axes(0, 1).with("keepdims", true), M));
    }

    @Test
    void emptyAxesIsIdentityIncludingRankZero() {
        assertEquals(M, run(Ops.SUM, axes(), M));
        assertEquals(t(dims(), 7), run(Ops.MAX, axes(), t(dims(), 7)));
        assertEquals(t(dims(), 7), run(Ops.MEAN, axes().with("keepdims", true), t(dims(), 7)));
    }

    @Test
    void meanMaxMinByHand() {
        assertEquals(t(dims(2), 2, 5), run(Ops.MEAN, axes(1), M));
        assertEquals(t(dims(3), 2.5, 3.5, 4.5), run(Ops.MEAN, axes(0), M));
        Tensor x = t(dims(2, 3), 3, -1, 2, -7, 0, 5);
        assertEquals(t(dims(2), 3, 5), run(Ops.MAX, axes(1), x));
        assertEquals(t(dims(3), -7, -1, 2), run(Ops.MIN, axes(0), x));
        assertEquals(t(dims(), -7), run(Ops.MIN, axes(0, 1), x));
    }

    @Test
    void sizeOneAxesReduceToThemselves() {
        Tensor x = t(dims(1, 3, 1), 1, 2, 3);
        assertEquals(t(dims(3), 1, 2, 3), run(Ops.SUM, axes(0, 2), x));
        assertEquals(t(dims(1, 1, 1), 3), run(Ops.MAX, axes(1).with("keepdims", true), t(dims(1, 3, 1), 1, 3, 2)));
    }

    @Test
    void integerAndBoolDtypesArePreserved() {
        Tensor i = t(DType.I64, dims(3), 4, -2, 9);
        assertEquals(t(DType.I64, dims(), 11), run(Ops.SUM, axes(0), i));
        assertEquals(t(DType.I64, dims(), 9), run(Ops.MAX, axes(0), i));
        Tensor b = t(DType.BOOL, dims(2, 2), 0, 1, 0, 0);
        assertEquals(t(DType.BOOL, dims(2), 1, 0), run(Ops.MAX, axes(1), b)); // any
        assertEquals(t(DType.BOOL, dims(2), 0, 0), run(Ops.MIN, axes(1), b)); // all
    }

    @Test
    void emptyReductionsGiveTheirIdentities() {
        Tensor e = t(dims(2, 0));
        assertEquals(t(dims(2), 0, 0), run(Ops.SUM, axes(1), e));
        assertEquals(t(dims(2), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY), run(Ops.MAX, axes(1), e));
        assertEquals(t(dims(2), Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY), run(Ops.MIN, axes(1), e));
        Tensor mean = run(Ops.MEAN, axes(1), e);
        assertTrue(Double.isNaN(mean.data()[0]) && Double.isNaN(mean.data()[1]), "mean over nothing is NaN: " + mean);
        assertEquals(t(DType.BOOL, dims(1), 0), run(Ops.MAX, axes(1), t(DType.BOOL, dims(1, 0))));
        assertEquals(t(DType.BOOL, dims(1), 1), run(Ops.MIN, axes(1), t(DType.BOOL, dims(1, 0))));
        // reducing the non-empty axis of an empty tensor gives an empty result
        assertEquals(t(dims(0)), run(Ops.SUM, axes(1), t(dims(0, 3))));
        assertEquals(t(dims(3), 0, 0, 0), run(Ops.SUM, axes(0), t(dims(0, 3))));
    }

    @Test
    void integerMaxOverEmptyAxisIsRejected() {
        var e = assertThrows(ShapeException.class, () -> infer(Ops.MAX, axes(0), type(DType.I32, 0)));
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
        // symbolic N bound to 0 only shows at run time
        var r = assertThrows(RuntimeException.class,
                () -> run(Ops.MIN, axes(0), List.of(type(DType.I64, "N")), t(DType.I64, dims(0))));
        assertTrue(r.getMessage().contains("no identity"), r.getMessage());
    }

    @Test
    void nanPropagatesThroughMaxAndMin() {
        Tensor x = t(dims(3), 1, Double.NaN, 5);
        assertTrue(Double.isNaN(run(Ops.MAX, axes(0), x).item()));
        assertTrue(Double.isNaN(run(Ops.MIN, axes(0), x).item()));
        assertTrue(Double.isNaN(run(Ops.MAX, axes(0), t(dims(2), Double.NaN, 1)).item()));
    }

    @Test
    void dtypeRulesAreEnforced() {
        var mean = assertThrows(ShapeException.class, () -> infer(Ops.MEAN, axes(0), type(DType.I32, 3)));
        assertTrue(mean.getMessage().contains("floating"), mean.getMessage());
        var sum = assertThrows(ShapeException.class, () -> infer(Ops.SUM, axes(0), type(DType.BOOL, 3)));
        assertTrue(sum.getMessage().contains("numeric"), sum.getMessage());
        assertThrows(ShapeException.class, () -> infer(Ops.MEAN, axes(0), type(DType.BOOL, 3)));
        assertEquals(type(DType.I32), infer(Ops.SUM, axes(0), type(DType.I32, 3)));
    }

    @Test
    void badAxesAreRejectedWithClearMessages() {
        TensorType x = f64(2, 3);
        assertMessage(() -> infer(Ops.SUM, axes(-1), x), "axis -1 is out of range");
        assertMessage(() -> infer(Ops.SUM, axes(2), x), "axis 2 is out of range for f64[2, 3]");
        assertMessage(() -> infer(Ops.SUM, axes(1, 0), x), "sorted and unique");
        assertMessage(() -> infer(Ops.MAX, axes(1, 1), x), "sorted and unique");
        assertMessage(() -> infer(Ops.SUM, Attrs.EMPTY, x), "integer-list attribute 'axes', got none");
        assertMessage(() -> infer(Ops.SUM, Attrs.of("axes", 1L), x), "integer-list attribute 'axes', got 1");
        assertMessage(() -> infer(Ops.SUM, axes(0).with("keepdims", 1L), x), "boolean attribute 'keepdims'");
        assertMessage(() -> infer(Ops.SUM, axes(0), x, x), "takes 1 operand");
    }

    @Test
    void symbolicDimsSurviveReduction() {
        TensorType x = f64("B", "T", "F");
        assertEquals(f64("B", "F"), infer(Ops.SUM, axes(1), x));
        assertEquals(f64("B", 1, "F"), infer(Ops.MEAN, axes(1).with("keepdims", true), x));
        assertEquals(f64(), infer(Ops.MAX, axes(0, 1, 2), x));
        assertEquals(type(DType.I64, "B", "T"), infer(Ops.ARGMAX, Attrs.of("axis", 2L), x));
        // and evaluate with B, T, F bound from the input
        Tensor r = run(Ops.SUM, axes(1), List.of(x), t(dims(1, 2, 2), 1, 2, 3, 4));
        assertEquals(t(dims(1, 2), 4, 6), r);
    }

    @Test
    void argmaxTiesGoToTheFirstOccurrence() {
        Tensor x = t(dims(2, 4), 1, 5, 5, 0, 2, 2, 2, 2);
        assertEquals(t(DType.I64, dims(2), 1, 0), run(Ops.ARGMAX, Attrs.of("axis", 1L), x));
        assertEquals(t(DType.I64, dims(2), 3, 0), run(Ops.ARGMIN, Attrs.of("axis", 1L), x));
        assertEquals(t(DType.I64, dims(4), 1, 0, 0, 1), run(Ops.ARGMAX, Attrs.of("axis", 0L), x));
        assertEquals(t(DType.I64, dims(1, 4), 0, 1, 1, 0),
                run(Ops.ARGMIN, Attrs.of("axis", 0L, "keepdims", true), x));
        assertEquals(t(DType.I64, dims(2, 1), 1, 0), run(Ops.ARGMAX, Attrs.of("axis", 1L, "keepdims", true), x));
    }

    @Test
    void argmaxOnIntegersBoolsAndNan() {
        assertEquals(t(DType.I64, dims(), 2), run(Ops.ARGMAX, Attrs.of("axis", 0L), t(DType.I32, dims(3), -1, 0, 7)));
        assertEquals(t(DType.I64, dims(), 1), run(Ops.ARGMAX, Attrs.of("axis", 0L), t(DType.BOOL, dims(3), 0, 1, 1)));
        assertEquals(t(DType.I64, dims(), 1), run(Ops.ARGMAX, Attrs.of("axis", 0L), t(dims(4), 1, Double.NaN, 9, Double.NaN)));
        assertEquals(t(DType.I64, dims(), 2), run(Ops.ARGMIN, Attrs.of("axis", 0L), t(dims(3), 1, 9, Double.NaN)));
        assertEquals(t(DType.I64, dims(1), 0), run(Ops.ARGMAX, Attrs.of("axis", 1L), t(dims(1, 1), 4)));
    }

    @Test
    void argmaxRejectsBadAxesAndEmptyAxes() {
        assertMessage(() -> infer(Ops.ARGMAX, Attrs.of("axis", -1L), f64(3)), "axis -1 is out of range");
        assertMessage(() -> infer(Ops.ARGMAX, Attrs.of("axis", 0L), f64()), "out of range for f64[] (rank 0)");
        assertMessage(() -> infer(Ops.ARGMIN, Attrs.EMPTY, f64(3)), "integer attribute 'axis', got none");
        assertMessage(() -> infer(Ops.ARGMIN, Attrs.of("axis", 0.0), f64(3)), "integer attribute 'axis', got 0.0");
        assertMessage(() -> infer(Ops.ARGMAX, Attrs.of("axis", 1L), f64(2, 0)), "empty axis 1");
        assertMessage(() -> run(Ops.ARGMAX, Attrs.of("axis", 1L), List.of(f64(2, "N")), t(dims(2, 0))), "axis 1 of size 0");
        // an empty result needs no answer
        assertEquals(t(DType.I64, dims(0)), run(Ops.ARGMAX, Attrs.of("axis", 1L), t(dims(0, 3))));
    }

    @Test
    void reduceOpsAreTaggedReduce() {
        for (OpDef op : List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN, Ops.ARGMAX, Ops.ARGMIN))
            assertEquals(OpDef.Kind.REDUCE, op.kind(), op.name());
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
        Throwable t = assertThrows(RuntimeException.class, e);
        assertTrue(t.getMessage() != null && t.getMessage().contains(part), "expected '" + part + "' in: " + t.getMessage());
    }

    // ---- properties ----

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(0, 4).array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    @Property
    void sumOverAllAxesIsTheSumOfTheData(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = random(new Random(seed), shape);
        long[] all = new long[shape.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        double expected = Arrays.stream(x.data()).sum();
        double got = run(Ops.SUM, Attrs.of("axes", all), x).item();
        // summation order differs; 4^4 values of magnitude <= 2 keep the error far below 1e-12
        assertEquals(expected, got, 1e-12);
    }

    @Property
    void reducingOneAxisAtATimeEqualsReducingBoth(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Assume.that(shape.length >= 2);
        Tensor x = random(new Random(seed), shape);
        Tensor both = run(Ops.MAX, Attrs.of("axes", new long[]{0, 1}), x);
        Tensor stepwise = run(Ops.MAX, Attrs.of("axes", new long[]{0}), run(Ops.MAX, Attrs.of("axes", new long[]{1}), x));
        assertEquals(both, stepwise); // max is exact, so equal bit for bit
    }

    @Property
    void maxIsTheValueAtArgmaxAndMeanTimesCountIsSum(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Assume.that(shape.length >= 1 && shape[shape.length - 1] > 0);
        int axis = shape.length - 1, n = shape[axis];
        Tensor x = random(new Random(seed), shape);
        Tensor max = run(Ops.MAX, Attrs.of("axes", new long[]{axis}), x);
        Tensor arg = run(Ops.ARGMAX, Attrs.of("axis", (long) axis), x);
        Tensor mean = run(Ops.MEAN, Attrs.of("axes", new long[]{axis}), x);
        Tensor sum = run(Ops.SUM, Attrs.of("axes", new long[]{axis}), x);
        for (int row = 0; row < max.size(); row++) {
            int k = (int) arg.data()[row];
            assertEquals(max.data()[row], x.data()[row * n + k]);
            for (int j = 0; j < k; j++) assertTrue(x.data()[row * n + j] < max.data()[row], "an earlier maximum was skipped");
            assertEquals(sum.data()[row], mean.data()[row] * n, 1e-12);
        }
    }
}
