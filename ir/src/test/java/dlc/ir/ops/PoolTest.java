package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dlc.ir.ops.ConvTest.*;
import static org.junit.jupiter.api.Assertions.*;

class PoolTest {
    static final OpDef MAX = Ops.MAX_POOL2D, AVG = Ops.AVG_POOL2D;

    static Tensor pool(OpDef op, Tensor x, Attrs a) {
        Tensor y = op.eval(new Tensor[]{x}, a, List.of(), null)[0];
        assertEquals(op.infer(List.of(type(x)), a, List.of()).get(0).shape(), Shape.of(toLong(y.shape())));
        return y;
    }

    static Tensor negate(Tensor t) {
        double[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = -d[i];
        return Tensor.of(t.shape(), d);
    }

    @Test
    void kindsAreReduce() {
        assertEquals(OpDef.Kind.REDUCE, MAX.kind());
        assertEquals(OpDef.Kind.REDUCE, AVG.kind());
    }

    @Test
    void maxPoolStrideDefaultsToTheKernel() {
        Tensor y = pool(MAX, iota(1, 1, 4, 4), Attrs.of("kernel", List.of(2, 2)));
        assertArrayEquals(new double[]{6, 8, 14, 16}, y.data());
    }

    @Test
    void maxPoolOverlappingWindows() {
        Tensor y = pool(MAX, negate(iota(1, 1, 3, 3)), Attrs.of("kernel", List.of(2, 2), "stride", List.of(1, 1)));
        assertArrayEquals(new double[]{-1, -2, -4, -5}, y.data());
    }

    @Test
    void maxPoolPadsWithMinusInfinityNotZero() {
        // all values negative: zero padding would give 0 in every border window
        Tensor y = pool(MAX, negate(iota(1, 1, 3, 3)), Attrs.of("kernel", List.of(2, 2), "padding", List.of(1, 1, 1, 1)));
        assertArrayEquals(new int[]{1, 1, 2, 2}, y.shape());
        assertArrayEquals(new double[]{-1, -2, -4, -5}, y.data());
    }

    @Test
    void maxPoolPerChannelAndPerSample() {
        Tensor x = Tensor.of(new int[]{2, 2, 1, 2}, 1, 5, 7, 3, -1, -2, 9, 8);
        Tensor y = pool(MAX, x, Attrs.of("kernel", List.of(1, 2)));
        assertArrayEquals(new int[]{2, 2, 1, 1}, y.shape());
        assertArrayEquals(new double[]{5, 7, -1, 9}, y.data());
    }

    @Test
    void maxPoolPropagatesNaN() {
        Tensor y = pool(MAX, Tensor.of(new int[]{1, 1, 1, 3}, 1, Double.NaN, 2), Attrs.of("kernel", List.of(1, 3)));
        assertTrue(Double.isNaN(y.item()));
    }

    @Test
    void avgPoolWithoutPadding() {
        Tensor y = pool(AVG, iota(1, 1, 4, 4), Attrs.of("kernel", List.of(2, 2)));
        assertArrayEquals(new double[]{3.5, 5.5, 11.5, 13.5}, y.data());
    }

    @Test
    void avgPoolCountIncludePadBothWays() {
        Attrs a = Attrs.of("kernel", List.of(2, 2), "padding", List.of(1, 1, 1, 1));
        // windows: {1}, {2,3}, {4,7}, {5,6,8,9}
        assertArrayEquals(new double[]{0.25, 1.25, 2.75, 7}, pool(AVG, iota(1, 1, 3, 3), a).data());
        assertArrayEquals(new double[]{0.25, 1.25, 2.75, 7}, pool(AVG, iota(1, 1, 3, 3), a.with("count_include_pad", true)).data());
        assertArrayEquals(new double[]{1, 2.5, 5.5, 7}, pool(AVG, iota(1, 1, 3, 3), a.with("count_include_pad", false)).data());
    }

    @Test
    void asymmetricPaddingAndStride() {
        // pad one column on the right only, kernel 1x2 stride 2: windows {1,2}, {3,pad}
        Attrs a = Attrs.of("kernel", List.of(1, 2), "stride", List.of(1, 2), "padding", List.of(0, 0, 0, 1));
        assertArrayEquals(new double[]{1.5, 1.5}, pool(AVG, iota(1, 1, 1, 3), a).data());
        assertArrayEquals(new double[]{1.5, 3}, pool(AVG, iota(1, 1, 1, 3), a.with("count_include_pad", false)).data());
        assertArrayEquals(new double[]{2, 3}, pool(MAX, iota(1, 1, 1, 3), a).data());
    }

    @Test
    void symbolicShapes() {
        TensorType x = new TensorType(DType.F32, Shape.of(Dim.sym("N"), Dim.sym("C"), Dim.sym("H"), Dim.sym("W")));
        TensorType y = MAX.infer(List.of(x), Attrs.of("kernel", List.of(3, 3), "stride", List.of(2, 2), "padding", List.of(1, 1, 1, 1)), List.of()).get(0);
        assertEquals(Dim.sym("N"), y.shape().dim(0));
        assertEquals(Dim.sym("C"), y.shape().dim(1));
        assertEquals(56, y.shape().dim(2).eval(Map.of("H", 112L))); // ResNet stem pool
        TensorType even = new TensorType(DType.F32, Shape.of(Dim.of(1), Dim.of(3), Dim.sym("K").times(2), Dim.of(8)));
        assertEquals(Shape.of(Dim.of(1), Dim.of(3), Dim.sym("K"), Dim.of(4)),
                AVG.infer(List.of(even), Attrs.of("kernel", List.of(2, 2)), List.of()).get(0).shape());
    }

    @Test
    void mistakesAreShapeExceptions() {
        TensorType x = TensorType.of(DType.F32, 1, 1, 4, 4);
        for (Attrs a : List.of(Attrs.EMPTY, Attrs.of("kernel", List.of(2)), Attrs.of("kernel", List.of(0, 2)),
                Attrs.of("kernel", List.of(2, 2), "padding", List.of(2, 0, 0, 0)), Attrs.of("kernel", List.of(5, 5)),
                Attrs.of("kernel", List.of(2, 2), "count_include_pad", 1L)))
            assertThrows(ShapeException.class, () -> AVG.infer(List.of(x), a, List.of()), a.toString());
        Attrs k2 = Attrs.of("kernel", List.of(2, 2));
        assertThrows(ShapeException.class, () -> MAX.infer(List.of(TensorType.of(DType.F32, 4, 4)), k2, List.of()));
        assertThrows(ShapeException.class, () -> AVG.infer(List.of(TensorType.of(DType.I32, 1, 1, 4, 4)), k2, List.of()));
        assertEquals(TensorType.of(DType.I32, 1, 1, 2, 2), MAX.infer(List.of(TensorType.of(DType.I32, 1, 1, 4, 4)), k2, List.of()).get(0));
        var e = assertThrows(ShapeException.class, () -> MAX.infer(List.of(x), Attrs.EMPTY, List.of()));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());
    }
}
