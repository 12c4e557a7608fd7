package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RandomTest {
    private static final int N = 100_000;

    /** A context for shapes without symbols. */
    private static final EvalContext CONCRETE = new EvalContext() {
        @Override public int[] resolve(Shape shape) { return shape.eval(Map.of()); }

        @Override public Tensor[] run(Graph graph, Tensor... args) { throw new UnsupportedOperationException("this test context runs no nested graphs"); }
    };

    static Tensor key(long k) { return Tensor.scalar(DType.I64, k); }

    static Tensor draw(OpDef op, long key, Attrs attrs) {
        OpDef def = op;
        Tensor y = def.eval(new Tensor[]{key(key)}, attrs, List.of(), CONCRETE)[0];
        TensorType t = def.infer(List.of(TensorType.scalar(DType.I64)), attrs, List.of()).get(0);
        assertEquals(t.dtype(), y.dtype());
        assertEquals(t.shape(), Shape.of(java.util.Arrays.stream(y.shape()).mapToLong(i -> i).toArray()));
        return y;
    }

    static long fold(long key, long salt) {
        return (long) Ops.RNG_FOLD.eval(new Tensor[]{key(key)}, Attrs.of("salt", salt), List.of(), CONCRETE)[0].item();
    }

    /** The rng_fold op is the shared generator's fold (whose golden values numerics' RngTest pins). */
    @Test
    void rngFoldIsTheGeneratorsFold() {
        for (long[] ks : new long[][]{{0, 0}, {42, 1}, {42, 2}, {(1L << 52) - 1, 123456}, {7, -3}})
            assertEquals(Rng.fold(ks[0], ks[1]), fold(ks[0], ks[1]), "fold(" + ks[0] + ", " + ks[1] + ")");
        assertEquals(2731740849052432L, fold(0, 0));
    }

    @Test
    void sameKeySameNumbersAndElementsDependOnlyOnTheirIndex() {
        Attrs a = Attrs.of("shape", Shape.of(2, 3), "dtype", DType.F32);
        Tensor x = draw(Ops.RANDOM_UNIFORM, 7, a), y = draw(Ops.RANDOM_UNIFORM, 7, a);
        assertEquals(x, y);
        // counter-based: element i of any shape is draw i, so a [2,3] tensor is the prefix of a [10] one
        Tensor longer = draw(Ops.RANDOM_UNIFORM, 7, Attrs.of("shape", Shape.of(10)));
        assertArrayEquals(x.data(), java.util.Arrays.copyOf(longer.data(), 6));
        for (int i = 0; i < 6; i++) assertEquals(Rng.uniform(7, i), x.data()[i]);
        assertNotEquals(x, draw(Ops.RANDOM_UNIFORM, 8, a));
    }

    @Test
    void differentSaltsGiveDifferentKeysAndStreams() {
        long k1 = fold(5, 1), k2 = fold(5, 2);
        assertNotEquals(k1, k2);
        assertNotEquals(5, k1);
        assertEquals(k1, fold(5, 1));
        for (long k : new long[]{k1, k2, fold(Rng.KEY_LIMIT - 1, -3)}) assertTrue(k >= 0 && k < Rng.KEY_LIMIT, "key " + k);
        Attrs a = Attrs.of("shape", Shape.of(100));
        double[] s1 = draw(Ops.RANDOM_UNIFORM, k1, a).data(), s2 = draw(Ops.RANDOM_UNIFORM, k2, a).data();
        int same = 0;
        for (int i = 0; i < 100; i++) if (s1[i] == s2[i]) same++;
        assertTrue(same <= 2, same + " of 100 draws coincide");
    }

    @Test
    void uniformsAreExactF32ValuesInUnitInterval() {
        double[] u = draw(Ops.RANDOM_UNIFORM, 11, Attrs.of("shape", Shape.of(N))).data();
        for (double v : u) {
            assertTrue(v >= 0 && v < 1, "out of [0,1): " + v);
            assertEquals(v, (float) v, "not exact in f32: " + v);
            assertEquals(v * 0x1p24, Math.rint(v * 0x1p24), "not a multiple of 2^-24: " + v);
        }
    }

    /*
     * Statistical bounds are 5 standard errors of the estimator over N = 10^5 draws (a correct
     * generator fails one check with probability < 1e-6; the keys are fixed, so the tests are
     * deterministic). Uniform: var 1/12, var of (u - 1/2)^2 = 1/80 - 1/144; u_i*u_j for
     * independent draws has mean 1/4 and var 1/9 - 1/16.
     */
    @Test
    void uniformMomentsAndIndependence() {
        for (long k : new long[]{0, 1, 123456789, Rng.KEY_LIMIT - 1}) {
            double[] u = draw(Ops.RANDOM_UNIFORM, k, Attrs.of("shape", Shape.of(N), "dtype", DType.F64)).data();
            double[] other = draw(Ops.RANDOM_UNIFORM, k + 1 < Rng.KEY_LIMIT ? k + 1 : 0, Attrs.of("shape", Shape.of(N))).data();
            double mean = mean(u), var = 0, lag = 0, cross = 0;
            for (int i = 0; i < N; i++) {
                var += (u[i] - 0.5) * (u[i] - 0.5) / N;
                if (i + 1 < N) lag += u[i] * u[i + 1] / (N - 1);
                cross += u[i] * other[i] / N;
            }
            assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / N), "mean, key " + k);
            assertEquals(1.0 / 12, var, 5 * Math.sqrt((1.0 / 80 - 1.0 / 144) / N), "variance, key " + k);
            double prodSe = 5 * Math.sqrt((1.0 / 9 - 1.0 / 16) / N);
            assertEquals(0.25, lag, prodSe, "neighbouring counters correlate, key " + k);
            assertEquals(0.25, cross, prodSe, "neighbouring keys correlate, key " + k);
        }
    }

    @Test
    void uniformBoundsScale() {
        double[] u = draw(Ops.RANDOM_UNIFORM, 3, Attrs.of("shape", Shape.of(50), "low", -2.0, "high", 3.0)).data();
        for (int i = 0; i < u.length; i++) assertEquals(-2 + 5 * Rng.uniform(3, i), u[i]);
    }

    /* Normal: se of the mean 1/sqrt(N), of the variance sqrt(2/N), of P(|z| < 1) = 0.6827 sqrt(p(1-p)/N). */
    @Test
    void normalMoments() {
        for (long k : new long[]{0, 99, fold(99, 1)}) {
            double[] z = draw(Ops.RANDOM_NORMAL, k, Attrs.of("shape", Shape.of(N))).data();
            double mean = mean(z), var = 0, within = 0;
            for (double v : z) {
                assertTrue(Double.isFinite(v) && Math.abs(v) < 5.8, "normal out of range: " + v);
                var += (v - mean) * (v - mean) / (N - 1);
                if (Math.abs(v) < 1) within += 1.0 / N;
            }
            assertEquals(0, mean, 5 / Math.sqrt(N), "mean, key " + k);
            assertEquals(1, var, 5 * Math.sqrt(2.0 / N), "variance, key " + k);
            double p = 0.682689492;
            assertEquals(p, within, 5 * Math.sqrt(p * (1 - p) / N), "P(|z|<1), key " + k);
        }
        double[] z = draw(Ops.RANDOM_NORMAL, 4, Attrs.of("shape", Shape.of(N), "mean", 3.0, "std", 2.0)).data();
        double mean = mean(z), var = 0;
        for (double v : z) var += (v - mean) * (v - mean) / (N - 1);
        assertEquals(3, mean, 5 * 2 / Math.sqrt(N));
        assertEquals(4, var, 5 * 4 * Math.sqrt(2.0 / N));
        for (int i = 0; i < 10; i++) assertEquals(3 + 2 * Rng.normal(4, i), z[i]);
    }

    @Test
    void symbolicShapeResolvesFromTheGraphsInputs() {
        GraphBuilder gb = new GraphBuilder("noise");
        Value x = gb.input("x", new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(3))), Value.Role.INPUT);
        Value k = gb.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value k2 = gb.op(Ops.RNG_FOLD, Attrs.of("salt", 1L), k);
        Value eps = gb.op(Ops.RANDOM_NORMAL, Attrs.of("shape", Shape.of(Dim.sym("B"), Dim.of(3)), "dtype", DType.F32), k2);
        assertEquals(x.type(), eps.type());
        gb.output("y", Graph.Output.Role.OUTPUT, gb.op(Ops.ADD, x, eps));
        Tensor xs = Tensor.zeros(DType.F32, 4, 3);
        Tensor y = Interpreter.run(gb.build(), Map.of("x", xs, "key", key(17))).get("y");
        assertArrayEquals(new int[]{4, 3}, y.shape());
        for (int i = 0; i < 12; i++) assertEquals(Rng.normal(Rng.fold(17, 1), i), y.data()[i]);
    }

    @Test
    void badKeysAndAttributesAreRejected() {
        OpDef u = Ops.RANDOM_UNIFORM;
        Attrs a = Attrs.of("shape", Shape.of(2));
        assertThrows(ShapeException.class, () -> u.infer(List.of(TensorType.scalar(DType.I32)), a, List.of()));
        assertThrows(ShapeException.class, () -> u.infer(List.of(TensorType.of(DType.I64, 2)), a, List.of()));
        assertThrows(ShapeException.class, () -> u.infer(List.of(TensorType.scalar(DType.I64)), Attrs.EMPTY, List.of()));
        assertThrows(ShapeException.class, () -> u.infer(List.of(TensorType.scalar(DType.I64)), a.with("dtype", DType.I32), List.of()));
        assertThrows(ShapeException.class, () -> u.infer(List.of(TensorType.scalar(DType.I64)), a.with("low", Double.NaN), List.of()));
        assertThrows(ShapeException.class, () -> Ops.RANDOM_NORMAL.infer(List.of(TensorType.scalar(DType.I64)), a.with("std", -1.0), List.of()));
        assertThrows(ShapeException.class, () -> Ops.RNG_FOLD.infer(List.of(TensorType.scalar(DType.I64)), Attrs.EMPTY, List.of()));
        assertEquals(TensorType.of(DType.F32, 2), u.infer(List.of(TensorType.scalar(DType.I64)), a, List.of()).get(0));
        for (double bad : new double[]{-1, 0.5, 0x1p52, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> u.eval(new Tensor[]{Tensor.scalar(DType.I64, bad)}, a, List.of(), CONCRETE));
            assertTrue(e.getMessage().contains("2^52"), e.getMessage());
        }
    }

    @Test
    void randomOpsAreOpaque() {
        for (OpDef op : List.of(Ops.RNG_FOLD, Ops.RANDOM_UNIFORM, Ops.RANDOM_NORMAL)) assertEquals(OpDef.Kind.OPAQUE, op.kind());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
