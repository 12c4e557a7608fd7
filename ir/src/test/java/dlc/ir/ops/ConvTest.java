package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ConvTest {
    static final OpDef CONV = Ops.CONV2D;

    static Tensor conv(Tensor x, Tensor w, Attrs a) {
        Tensor y = CONV.eval(new Tensor[]{x, w}, a, List.of(), null)[0];
        // the shape rule and the reference semantics agree on the output shape
        assertEquals(CONV.infer(List.of(type(x), type(w)), a, List.of()).get(0).shape(), Shape.of(toLong(y.shape())));
        return y;
    }

    static TensorType type(Tensor t) { return new TensorType(t.dtype(), Shape.of(toLong(t.shape()))); }

    static long[] toLong(int... s) { return java.util.Arrays.stream(s).mapToLong(i -> i).toArray(); }

    static Tensor iota(int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = i + 1;
        return Tensor.of(shape, d);
    }

    static Tensor ones(int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        java.util.Arrays.fill(d, 1);
        return Tensor.of(shape, d);
    }

    @Test
    void validCrossCorrelationDoesNotFlipTheKernel() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]: y[0,0] = 1*1 + 2*2 + 3*4 + 4*5
        Tensor y = conv(iota(1, 1, 3, 3), Tensor.of(new int[]{1, 1, 2, 2}, 1, 2, 3, 4), Attrs.EMPTY);
        assertArrayEquals(new int[]{1, 1, 2, 2}, y.shape());
        assertArrayEquals(new double[]{37, 47, 67, 77}, y.data());
    }

    @Test
    void symmetricPaddingAddsZeros() {
        Tensor y = conv(iota(1, 1, 3, 3), ones(1, 1, 3, 3), Attrs.of("padding", List.of(1, 1, 1, 1)));
        assertArrayEquals(new double[]{12, 21, 16, 27, 45, 33, 24, 39, 28}, y.data());
    }

    @Test
    void asymmetricPaddingIsTopBottomLeftRight() {
        // one zero row on top, one zero column on the right: y[i,j] = sum x[i-1..i, j..j+1]
        Tensor y = conv(iota(1, 1, 3, 3), ones(1, 1, 2, 2), Attrs.of("padding", List.of(1, 0, 0, 1)));
        assertArrayEquals(new int[]{1, 1, 3, 3}, y.shape());
        assertArrayEquals(new double[]{3, 5, 3, 12, 16, 9, 24, 28, 15}, y.data());
    }

    @Test
    void strideSkipsPositions() {
        Tensor y = conv(iota(1, 1, 4, 4), ones(1, 1, 2, 2), Attrs.of("stride", List.of(2, 2)));
        assertArrayEquals(new double[]{14, 22, 46, 54}, y.data());
        // stride 2 over 5 columns with k 2: floor((5 - 2)/2) + 1 = 2, the last column is never read
        Tensor z = conv(iota(1, 1, 1, 5), ones(1, 1, 1, 2), Attrs.of("stride", List.of(1, 2)));
        assertArrayEquals(new double[]{3, 7}, z.data());
    }

    @Test
    void dilationSpreadsTheKernel() {
        // 5x5 input x[a,b] = 5a + b + 1, kernel taps at (0,0),(0,2),(2,0),(2,2) with weights 1..4
        Tensor y = conv(iota(1, 1, 5, 5), Tensor.of(new int[]{1, 1, 2, 2}, 1, 2, 3, 4), Attrs.of("dilation", List.of(2, 2)));
        assertArrayEquals(new int[]{1, 1, 3, 3}, y.shape());
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) assertEquals(10 * (5 * i + j + 1) + 82, y.get(0, 0, i, j));
    }

    @Test
    void depthwiseGroupsKeepChannelsApart() {
        Tensor x = Tensor.of(new int[]{1, 2, 2, 2}, 1, 2, 3, 4, 10, 20, 30, 40);
        // groups = C = 2, channel multiplier 2: output 0,1 read channel 0; outputs 2,3 read channel 1
        Tensor y = conv(x, Tensor.of(new int[]{4, 1, 1, 1}, 1, 2, 3, -1), Attrs.of("groups", 2L));
        assertArrayEquals(new double[]{1, 2, 3, 4, 2, 4, 6, 8, 30, 60, 90, 120, -10, -20, -30, -40}, y.data());
    }

    @Test
    void groupedConvSumsOnlyItsGroupsChannels() {
        // C = 4, groups 2, O = 2: output 0 = x0 + x1, output 1 = x2 - x3
        Tensor x = Tensor.of(new int[]{1, 4, 1, 2}, 1, 2, 10, 20, 100, 200, 1000, 2000);
        Tensor y = conv(x, Tensor.of(new int[]{2, 2, 1, 1}, 1, 1, 1, -1), Attrs.of("groups", 2L));
        assertArrayEquals(new double[]{11, 22, -900, -1800}, y.data());
    }

    @Test
    void oneByOneConvIsAMatmulAtEveryPixel() {
        Random r = new Random(7);
        int n = 2, c = 3, h = 4, wd = 5, o = 6;
        Tensor x = ContractionMatmulTest.random(r, n, c, h, wd), w = ContractionMatmulTest.random(r, o, c, 1, 1);
        Tensor y = conv(x, w, Attrs.EMPTY);
        // w[:, :, 0, 0] [O, C] @ x [N, C, H*W] broadcasts over N and gives [N, O, H*W]
        Tensor ref = Ops.MATMUL.eval(new Tensor[]{w.reshape(o, c), x.reshape(n, c, h * wd)}, Attrs.EMPTY, List.of(), null)[0];
        assertArrayEquals(ref.data(), y.data(), 1e-12);
    }

    @Test
    void symbolicSpatialDimsUseDimArithmetic() {
        TensorType x = new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(3), Dim.sym("H"), Dim.sym("W")));
        TensorType w = TensorType.of(DType.F32, 16, 3, 3, 3);
        TensorType same = CONV.infer(List.of(x, w), Attrs.of("padding", List.of(1, 1, 1, 1)), List.of()).get(0);
        assertEquals(x.withShape(Shape.of(Dim.sym("B"), Dim.of(16), Dim.sym("H"), Dim.sym("W"))), same);
        TensorType down = CONV.infer(List.of(x, w), Attrs.of("padding", List.of(1, 1, 1, 1), "stride", List.of(2, 2)), List.of()).get(0);
        assertEquals(14, down.shape().dim(2).eval(Map.of("H", 28L)));
        assertEquals(15, down.shape().dim(3).eval(Map.of("W", 29L)));

        GraphBuilder gb = new GraphBuilder("g");
        Value xv = gb.input("x", x, Value.Role.INPUT), wv = gb.input("w", w, Value.Role.PARAM);
        gb.output("y", Graph.Output.Role.OUTPUT, gb.op(Ops.CONV2D, Attrs.of("padding", List.of(1, 1, 1, 1), "stride", List.of(2, 2)), xv, wv));
        Tensor xt = ContractionMatmulTest.random(new Random(1), 2, 3, 7, 6), wt = ContractionMatmulTest.random(new Random(2), 16, 3, 3, 3);
        Tensor y = Interpreter.run(gb.build(), Map.of("x", xt, "w", wt)).get("y");
        assertArrayEquals(new int[]{2, 16, 4, 3}, y.shape());
        assertArrayEquals(conv(xt, wt, Attrs.of("padding", List.of(1, 1, 1, 1), "stride", List.of(2, 2))).data(), y.data());
    }

    @Test
    void channelMismatchNamesBothShapes() {
        var e = assertThrows(ShapeException.class, () -> CONV.infer(List.of(TensorType.of(DType.F32, 1, 3, 8, 8),
                TensorType.of(DType.F32, 8, 4, 3, 3)), Attrs.EMPTY, List.of()));
        assertTrue(e.getMessage().contains("f32[1, 3, 8, 8]") && e.getMessage().contains("f32[8, 4, 3, 3]"), e.getMessage());
        assertTrue(e.hint().contains("[C_out, C_in/groups, kH, kW]"), e.hint());
        // a symbolic channel count cannot be proven wrong, so it is accepted and checked when the graph runs
        assertEquals(Dim.of(8), CONV.infer(List.of(new TensorType(DType.F32, Shape.of(Dim.of(1), Dim.sym("C"), Dim.of(8), Dim.of(8))),
                TensorType.of(DType.F32, 8, 3, 3, 3)), Attrs.EMPTY, List.of()).get(0).shape().dim(1));
        assertThrows(IllegalArgumentException.class, () -> CONV.eval(new Tensor[]{Tensor.zeros(DType.F32, 1, 4, 8, 8),
                Tensor.zeros(DType.F32, 8, 3, 3, 3)}, Attrs.EMPTY, List.of(), null));
        // a grouped conv with matching per-group channels is fine, and O must be a multiple of groups
        CONV.infer(List.of(TensorType.of(DType.F32, 1, 4, 8, 8), TensorType.of(DType.F32, 6, 2, 3, 3)), Attrs.of("groups", 2L), List.of());
        assertThrows(ShapeException.class, () -> CONV.infer(List.of(TensorType.of(DType.F32, 1, 4, 8, 8),
                TensorType.of(DType.F32, 5, 2, 3, 3)), Attrs.of("groups", 2L), List.of()));
    }

    @Test
    void kernelLargerThanPaddedInputIsRejected() {
        var e = assertThrows(ShapeException.class, () -> CONV.infer(List.of(TensorType.of(DType.F32, 1, 1, 2, 8),
                TensorType.of(DType.F32, 1, 1, 3, 3)), Attrs.EMPTY, List.of()));
        assertTrue(e.getMessage().contains("height"), e.getMessage());
        // dilation 2 makes a 2x2 kernel span 3 pixels
        assertThrows(ShapeException.class, () -> CONV.infer(List.of(TensorType.of(DType.F32, 1, 1, 2, 2),
                TensorType.of(DType.F32, 1, 1, 2, 2)), Attrs.of("dilation", List.of(2, 2)), List.of()));
    }

    @Test
    void badAttributesAreShapeExceptions() {
        List<TensorType> in = List.of(TensorType.of(DType.F32, 1, 1, 5, 5), TensorType.of(DType.F32, 1, 1, 3, 3));
        for (Attrs a : List.of(Attrs.of("stride", List.of(2)), Attrs.of("stride", List.of(0, 1)), Attrs.of("padding", List.of(1, 1)),
                Attrs.of("padding", List.of(1, -1, 0, 0)), Attrs.of("dilation", List.of(0, 1)), Attrs.of("groups", 0L),
                Attrs.of("groups", 1.5), Attrs.of("stride", List.of(1.0, 1.0))))
            assertThrows(ShapeException.class, () -> CONV.infer(in, a, List.of()), a.toString());
        assertThrows(ShapeException.class, () -> CONV.infer(List.of(TensorType.of(DType.F32, 1, 5, 5), in.get(1)), Attrs.EMPTY, List.of()));
        assertThrows(ShapeException.class, () -> CONV.infer(List.of(in.get(0), TensorType.of(DType.F64, 1, 1, 3, 3)), Attrs.EMPTY, List.of()));
    }
}
