package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ContractionMatmulTest {
    private static final OpDef MATMUL = Ops.MATMUL;

    private static Tensor mm(Tensor a, Tensor b) {
        return MATMUL.eval(new Tensor[]{a, b}, Attrs.EMPTY, List.of(), null)[0];
    }

    private static TensorType infer(TensorType a, TensorType b) {
        return MATMUL.infer(List.of(a, b), Attrs.EMPTY, List.of()).get(0);
    }

    private static TensorType f32(String... dims) {
        return new TensorType(DType.F32, new Shape(java.util.Arrays.stream(dims).map(Dim::parse).toList()));
    }

    @Test
    void twoByThreeTimesThreeByTwo() {
        Tensor a = Tensor.of(new int[]{2, 3}, 1, 2, 3, 4, 5, 6);
        Tensor b = Tensor.of(new int[]{3, 2}, 7, 8, 9, 10, 11, 12);
        Tensor y = mm(a, b);
        assertArrayEquals(new int[]{2, 2}, y.shape());
        // [1*7+2*9+3*11, 1*8+2*10+3*12; 4*7+5*9+6*11, 4*8+5*10+6*12]
        assertArrayEquals(new double[]{58, 64, 139, 154}, y.data());
    }

    @Test
    void rankOneOperandsArePromotedThenRemoved() {
        Tensor v = Tensor.of(new int[]{3}, 1, 2, 3);
        Tensor m = Tensor.of(new int[]{3, 2}, 7, 8, 9, 10, 11, 12);
        Tensor vm = mm(v, m);
        assertArrayEquals(new int[]{2}, vm.shape());
        assertArrayEquals(new double[]{58, 64}, vm.data());

        Tensor mt = Tensor.of(new int[]{2, 3}, 7, 9, 11, 8, 10, 12);
        Tensor mv = mm(mt, v);
        assertArrayEquals(new int[]{2}, mv.shape());
        assertArrayEquals(new double[]{58, 64}, mv.data());

        Tensor dot = mm(v, Tensor.of(new int[]{3}, 4, 5, 6));
        assertArrayEquals(new int[0], dot.shape());
        assertEquals(32, dot.item());

        // a vector against a stack of matrices: [2] @ [2, 2, 1] -> [2, 1] -> [2]
        Tensor vb = mm(Tensor.of(new int[]{2}, 1, 2), Tensor.of(new int[]{2, 2, 1}, 3, 4, 5, 6));
        assertArrayEquals(new int[]{2, 1}, vb.shape());
        assertArrayEquals(new double[]{11, 17}, vb.data());

        assertEquals(f32("2"), infer(f32("3"), f32("3", "2")));
        assertEquals(f32("B", "2"), infer(f32("B", "2", "3"), f32("3")));
        assertEquals(f32(), infer(f32("K"), f32("K")));
        assertEquals(f32("B", "N"), infer(f32("K"), f32("B", "K", "N")));
    }

    @Test
    void batchDimsBroadcast() {
        // a [2, 1, 1, 2] and b [3, 2, 1] broadcast their batch dims [2, 1] and [3] to [2, 3]
        Tensor a = Tensor.of(new int[]{2, 1, 1, 2}, 1, 2, 3, 4);
        Tensor b = Tensor.of(new int[]{3, 2, 1}, 1, 1, 10, 0, 0, 100);
        Tensor y = mm(a, b);
        assertArrayEquals(new int[]{2, 3, 1, 1}, y.shape());
        assertArrayEquals(new double[]{3, 10, 200, 7, 30, 400}, y.data());
        assertEquals(f32("2", "3", "1", "1"), infer(f32("2", "1", "1", "2"), f32("3", "2", "1")));
        assertEquals(f32("B", "T", "10"), infer(f32("B", "T", "64"), f32("64", "10")));
    }

    @Test
    void integerMatmulKeepsItsDtype() {
        Tensor a = new Tensor(DType.I64, new int[]{1, 2}, new double[]{2, 3});
        Tensor b = new Tensor(DType.I64, new int[]{2, 1}, new double[]{4, 5});
        Tensor y = mm(a, b);
        assertEquals(DType.I64, y.dtype());
        assertEquals(23, y.item());
    }

    @Test
    void innerDimMismatchNamesShapesAndDims() {
        var e = assertThrows(ShapeException.class, () -> infer(f32("B", "784"), f32("256", "10")));
        assertEquals("matmul shapes do not match: f32[B, 784] @ f32[256, 10]", e.getMessage());
        assertTrue(e.hint().contains("784") && e.hint().contains("256"), e.hint());
        var sym = assertThrows(ShapeException.class, () -> infer(f32("B", "H"), f32("2*H", "10")));
        assertTrue(sym.hint().contains("H") && sym.hint().contains("2*H"), sym.hint());
    }

    @Test
    void otherMistakesAreShapeExceptions() {
        assertThrows(ShapeException.class, () -> infer(f32("2", "3"), TensorType.of(DType.F64, 3, 2)));
        assertThrows(ShapeException.class, () -> infer(TensorType.of(DType.BOOL, 2, 3), TensorType.of(DType.BOOL, 3, 2)));
        assertThrows(ShapeException.class, () -> infer(f32(), f32("3")));
        var e = assertThrows(ShapeException.class, () -> infer(f32("2", "1", "3"), f32("3", "3", "1")));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        assertThrows(ShapeException.class, () -> MATMUL.infer(List.of(f32("2")), Attrs.EMPTY, List.of()));
    }

    @Property(tries = 50)
    void batchedMatmulIsMatmulPerBatch(@ForAll("seeds") long seed) {
        java.util.Random r = new java.util.Random(seed);
        int bt = 1 + r.nextInt(3), m = 1 + r.nextInt(4), k = 1 + r.nextInt(4), n = 1 + r.nextInt(4);
        Tensor a = random(r, bt, m, k), b = random(r, bt, k, n);
        Tensor y = mm(a, b);
        for (int p = 0; p < bt; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) s += a.get(p, i, q) * b.get(p, q, j);
                    assertEquals(s, y.get(p, i, j), 1e-12);
                }
    }

    @Provide
    Arbitrary<Long> seeds() { return Arbitraries.longs(); }

    static Tensor random(java.util.Random r, int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble() * 2 - 1;
        return Tensor.of(shape, d);
    }
}
