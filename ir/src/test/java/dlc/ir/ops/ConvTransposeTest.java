package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dlc.ir.ops.ConvTest.*;
import static org.junit.jupiter.api.Assertions.*;

class ConvTransposeTest {
    static final OpDef CONVT = Ops.CONV_TRANSPOSE2D;

    static Tensor convT(Tensor x, Tensor w, Attrs a) {
        Tensor y = CONVT.eval(new Tensor[]{x, w}, a, List.of(), null)[0];
        assertEquals(CONVT.infer(List.of(type(x), type(w)), a, List.of()).get(0).shape(), Shape.of(toLong(y.shape())));
        return y;
    }

    @Test
    void stride1ScattersEachInputThroughTheKernel() {
        Tensor y = convT(iota(1, 1, 2, 2), ones(1, 1, 2, 2), Attrs.EMPTY);
        assertArrayEquals(new int[]{1, 1, 3, 3}, y.shape());
        assertArrayEquals(new double[]{1, 3, 2, 4, 10, 6, 3, 7, 4}, y.data());
    }

    @Test
    void kernelEqualToStrideUpsamplesByBlocks() {
        Tensor y = convT(iota(1, 1, 2, 2), ones(1, 1, 2, 2), Attrs.of("stride", List.of(2, 2)));
        assertArrayEquals(new double[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y.data());
    }

    @Test
    void outputPaddingAddsRowsAndColumnsNoInputReaches() {
        Attrs a = Attrs.of("stride", List.of(2, 2), "output_padding", List.of(1, 1));
        Tensor y = convT(iota(1, 1, 2, 2), ones(1, 1, 1, 1), a);
        assertArrayEquals(new double[]{1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}, y.data());
        var e = assertThrows(ShapeException.class, () -> CONVT.infer(List.of(TensorType.of(DType.F32, 1, 1, 2, 2),
                TensorType.of(DType.F32, 1, 1, 1, 1)), Attrs.of("stride", List.of(2, 2), "output_padding", List.of(2, 0)), List.of()));
        assertTrue(e.getMessage().contains("output_padding"), e.getMessage());
    }

    @Test
    void paddingCropsTheFullOutput() {
        // k4 s2 p1 doubles the size (docs/models.md 2.2); the crop removes the first row and column
        Tensor full = convT(iota(1, 1, 3, 3), iota(1, 1, 4, 4), Attrs.of("stride", List.of(2, 2)));
        Tensor y = convT(iota(1, 1, 3, 3), iota(1, 1, 4, 4), Attrs.of("stride", List.of(2, 2), "padding", List.of(1, 1, 1, 1)));
        assertArrayEquals(new int[]{1, 1, 8, 8}, full.shape());
        assertArrayEquals(new int[]{1, 1, 6, 6}, y.shape());
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) assertEquals(full.get(0, 0, i + 1, j + 1), y.get(0, 0, i, j));
    }

    @Test
    void groupsMapInputChannelsToTheirGroupsOutputs() {
        // C = 2, groups 2, O/g = 2: channel 0 writes outputs 0,1; channel 1 writes outputs 2,3
        Tensor x = Tensor.of(new int[]{1, 2, 1, 1}, 1, 10);
        Tensor y = convT(x, Tensor.of(new int[]{2, 2, 1, 1}, 1, 2, 3, 4), Attrs.of("groups", 2L));
        assertArrayEquals(new int[]{1, 4, 1, 1}, y.shape());
        assertArrayEquals(new double[]{1, 2, 30, 40}, y.data());
    }

    @Test
    void symbolicShapeRule() {
        TensorType x = new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(8), Dim.sym("H"), Dim.sym("W")));
        TensorType y = CONVT.infer(List.of(x, TensorType.of(DType.F32, 8, 4, 4, 4)),
                Attrs.of("stride", List.of(2, 2), "padding", List.of(1, 1, 1, 1)), List.of()).get(0);
        assertEquals(Shape.of(Dim.sym("B"), Dim.of(4), Dim.sym("H").times(2), Dim.sym("W").times(2)), y.shape());
    }

    @Test
    void mistakesAreShapeExceptions() {
        TensorType x = TensorType.of(DType.F32, 1, 3, 4, 4);
        var e = assertThrows(ShapeException.class, () -> CONVT.infer(List.of(x, TensorType.of(DType.F32, 4, 2, 3, 3)), Attrs.EMPTY, List.of()));
        assertTrue(e.hint().contains("[C_in, C_out/groups, kH, kW]"), e.hint());
        assertThrows(ShapeException.class, () -> CONVT.infer(List.of(x, TensorType.of(DType.F32, 3, 2, 3, 3)), Attrs.of("groups", 2L), List.of()));
        // padding that crops away everything
        assertThrows(ShapeException.class, () -> CONVT.infer(List.of(TensorType.of(DType.F32, 1, 1, 1, 1),
                TensorType.of(DType.F32, 1, 1, 1, 1)), Attrs.of("padding", List.of(1, 0, 0, 0)), List.of()));
    }

    /**
     * conv_transpose2d is the adjoint (input-VJP) of conv2d: {@code <conv2d(x, w), y> == <x, conv_transpose2d(y, w)>}
     * for every x and y, with the output padding that restores x's size.
     */
    @Property(tries = 200)
    void convTransposeIsTheAdjointOfConv(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int groups,
                                         @ForAll @IntRange(min = 1, max = 2) int cg, @ForAll @IntRange(min = 1, max = 2) int og,
                                         @ForAll @IntRange(min = 1, max = 8) int h, @ForAll @IntRange(min = 1, max = 8) int w,
                                         @ForAll @IntRange(min = 1, max = 3) int kh, @ForAll @IntRange(min = 1, max = 3) int kw,
                                         @ForAll @IntRange(min = 1, max = 3) int sh, @ForAll @IntRange(min = 1, max = 3) int sw,
                                         @ForAll @IntRange(min = 1, max = 2) int dh, @ForAll @IntRange(min = 1, max = 2) int dw,
                                         @ForAll @IntRange(min = 0, max = 2) int pt, @ForAll @IntRange(min = 0, max = 2) int pb,
                                         @ForAll @IntRange(min = 0, max = 2) int pl, @ForAll @IntRange(min = 0, max = 2) int pr,
                                         @ForAll long seed) {
        int spanH = h + pt + pb - dh * (kh - 1) - 1, spanW = w + pl + pr - dw * (kw - 1) - 1;
        Assume.that(spanH >= 0 && spanW >= 0);
        Attrs conv = Attrs.of("stride", List.of(sh, sw), "padding", List.of(pt, pb, pl, pr), "dilation", List.of(dh, dw), "groups", (long) groups);
        // the rows a strided conv never reads come back as output padding
        Attrs transposed = conv.with("output_padding", List.of(spanH % sh, spanW % sw));
        Random r = new Random(seed);
        Tensor x = ContractionMatmulTest.random(r, n, cg * groups, h, w);
        Tensor wt = ContractionMatmulTest.random(r, og * groups, cg, kh, kw);
        Tensor cx = conv(x, wt, conv);
        Tensor y = ContractionMatmulTest.random(r, cx.shape());
        Tensor ty = convT(y, wt, transposed);
        assertArrayEquals(x.shape(), ty.shape());
        double lhs = dot(cx, y), rhs = dot(x, ty);
        // both sides sum the same products x*w*y (at most a few hundred terms of magnitude <= 1) in different orders
        assertEquals(lhs, rhs, 1e-12 * (1 + Math.abs(lhs) + cx.size() * cg * kh * kw));
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
        return s;
    }
}
