package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dlc.ir.ops.ConvTest.*;
import static org.junit.jupiter.api.Assertions.*;

/** Hand values for max_pool2d_scatter and max_pool2d_gather, the ops max pooling's gradients are made of. */
class MaxPoolGradOpsTest {
    static final OpDef SCATTER = Ops.MAX_POOL2D_SCATTER, GATHER = Ops.MAX_POOL2D_GATHER;

    /** Evaluates op and checks the result against its shape rule. */
    static Tensor run(OpDef op, Tensor x, Tensor v, Attrs a) {
        Tensor y = op.eval(new Tensor[]{x, v}, a, List.of(), null)[0];
        assertEquals(op.infer(List.of(type(x), type(v)), a, List.of()).get(0).shape(), Shape.of(toLong(y.shape())));
        return y;
    }

    @Test
    void kindsAreOpaque() {
        assertEquals(OpDef.Kind.OPAQUE, SCATTER.kind());
        assertEquals(OpDef.Kind.OPAQUE, GATHER.kind());
    }

    @Test
    void overlappingWindowsAccumulateAtTheirSharedMaximum() {
        // x = 1..9 in a 3x3, 2x2 windows at stride 1: maxima at 5, 6, 8, 9 (flat 4, 5, 7, 8)
        Tensor y = run(SCATTER, iota(1, 1, 3, 3), Tensor.of(new int[]{1, 1, 2, 2}, 1, 2, 3, 4), Attrs.of("kernel", List.of(2, 2), "stride", List.of(1, 1)));
        assertArrayEquals(new double[]{0, 0, 0, 0, 1, 2, 0, 3, 4}, y.data(), 0);
        // all windows share the centre maximum when it is the largest
        Tensor peak = Tensor.of(new int[]{1, 1, 3, 3}, 0, 0, 0, 0, 9, 0, 0, 0, 0);
        Tensor z = run(SCATTER, peak, Tensor.of(new int[]{1, 1, 2, 2}, 1, 2, 3, 4), Attrs.of("kernel", List.of(2, 2), "stride", List.of(1, 1)));
        assertArrayEquals(new double[]{0, 0, 0, 0, 10, 0, 0, 0, 0}, z.data(), 0);
    }

    @Test
    void paddingNeverWinsEvenOverNegativeValues() {
        // all negative, padding 1 all round: each 2x2 window at stride 2 holds exactly one real element
        Tensor x = Tensor.of(new int[]{1, 1, 2, 2}, -4, -3, -2, -1);
        Attrs a = Attrs.of("kernel", List.of(2, 2), "padding", List.of(1, 1, 1, 1));
        Tensor y = run(SCATTER, x, Tensor.of(new int[]{1, 1, 2, 2}, 1, 2, 3, 4), a);
        assertArrayEquals(new double[]{1, 2, 3, 4}, y.data(), 0);
        Tensor h = Tensor.of(new int[]{1, 1, 2, 2}, 10, 20, 30, 40);
        assertArrayEquals(new double[]{10, 20, 30, 40}, run(GATHER, x, h, a).data(), 0);
    }

    @Test
    void tiesAndNaNGoToTheFirst() {
        Tensor x = Tensor.of(new int[]{1, 1, 1, 6}, 2, 2, Double.NaN, 5, 7, Double.NaN);
        Attrs a = Attrs.of("kernel", List.of(1, 2));
        // windows {2, 2} -> first 2; {NaN, 5} -> NaN; {7, NaN} -> NaN (the forward pool gives NaN there too)
        Tensor y = run(SCATTER, x, Tensor.of(new int[]{1, 1, 1, 3}, 1, 2, 3), a);
        assertArrayEquals(new double[]{1, 0, 2, 0, 0, 3}, y.data(), 0);
        Tensor g = run(GATHER, x, Tensor.of(new int[]{1, 1, 1, 6}, 10, 20, 30, 40, 50, 60), a);
        assertArrayEquals(new double[]{10, 30, 60}, g.data(), 0);
    }

    @Test
    void perPlane() {
        Tensor x = Tensor.of(new int[]{2, 1, 1, 2}, 1, 5, 9, 8);
        Tensor y = run(SCATTER, x, Tensor.of(new int[]{2, 1, 1, 1}, 7, 3), Attrs.of("kernel", List.of(1, 2)));
        assertArrayEquals(new double[]{0, 7, 3, 0}, y.data(), 0);
    }

    @Test
    void shapeMistakesAreNamed() {
        TensorType x = TensorType.of(DType.F32, 1, 1, 4, 4);
        Attrs a = Attrs.of("kernel", List.of(2, 2));
        ShapeException wrongPooled = assertThrows(ShapeException.class,
                () -> SCATTER.infer(List.of(x, TensorType.of(DType.F32, 1, 1, 3, 3)), a, List.of()));
        assertTrue(wrongPooled.getMessage().contains("[1, 1, 2, 2]"), wrongPooled.getMessage());
        ShapeException wrongSource = assertThrows(ShapeException.class,
                () -> GATHER.infer(List.of(x, TensorType.of(DType.F32, 1, 1, 4, 3)), a, List.of()));
        assertTrue(wrongSource.getMessage().contains("not shaped like the input"), wrongSource.getMessage());
        assertThrows(ShapeException.class, () -> GATHER.infer(List.of(x, TensorType.of(DType.F64, 1, 1, 4, 4)), a, List.of()));
        assertThrows(ShapeException.class, () -> SCATTER.infer(List.of(TensorType.of(DType.I32, 1, 1, 4, 4), TensorType.of(DType.I32, 1, 1, 2, 2)), a, List.of()));
    }
}
