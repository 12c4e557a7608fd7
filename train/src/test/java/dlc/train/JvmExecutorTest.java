package dlc.train;

import dlc.data.Synthetic;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The JVM executor: conversion, caching and symbol binding on a hand-written graph; the real backend against the interpreter. */
class JvmExecutorTest {
    /** y = x * w (broadcast over rows); w is updated in place to w + 1, as a donated UPDATE input is. */
    static final class InPlace extends CompiledGraph {
        private float[] y = new float[0];

        InPlace() {
            super("""
                    sym|B
                    in|x|f32|B,2|INPUT
                    in|w|f32|2|PARAM
                    in|n|i64||INPUT
                    out|y|f32|B,2|OUTPUT
                    out|w|f32|2|UPDATE|w
                    out|n2|i64||OUTPUT
                    """);
        }

        @Override public CompiledGraph copy() { return new InPlace(); }

        @Override protected void bind(long[] s) { d = new int[]{(int) s[0]}; y = ensure(y, d[0] * 2); }

        @Override protected void execute(Object[] in, Object[] out) {
            float[] x = (float[]) in[0], w = (float[]) in[1];
            double[] n = (double[]) in[2];
            for (int i = 0; i < d[0] * 2; i++) y[i] = x[i] * w[i % 2];
            w[0] += 1;
            w[1] += 1;
            n[0] *= 2;
            out[0] = y;
            out[1] = w;
            out[2] = n;
        }
    }

    static final Graph ANY = TestModels.compile(TestModels.mlp(4)).graph("eval").orElseThrow();

    @Test
    void convertsBindsAndNeverMutatesTheCallersTensors() {
        int[] compiles = {0};
        JvmExecutor ex = new JvmExecutor(g -> { compiles[0]++; return new InPlace(); });
        Tensor w = new Tensor(DType.F32, new int[]{2}, new double[]{2, 3});
        Tensor n = Tensor.scalar(DType.I64, 5);
        for (int batch : new int[]{3, 1, 3}) {
            double[] xs = new double[batch * 2];
            for (int i = 0; i < xs.length; i++) xs[i] = i + 0.5;
            Map<String, Tensor> out = ex.run(ANY, Map.of("x", new Tensor(DType.F32, new int[]{batch, 2}, xs), "w", w, "n", n));
            Tensor y = out.get("y");
            assertArrayEquals(new int[]{batch, 2}, y.shape());
            for (int i = 0; i < xs.length; i++) assertEquals((float) (xs[i] * (i % 2 == 0 ? 2 : 3)), y.data()[i], 0.0);
            assertArrayEquals(new double[]{3, 4}, out.get("w").data(), 0.0);
            assertEquals(DType.I64, out.get("n2").dtype());
            assertEquals(10, out.get("n2").item());
            assertArrayEquals(new double[]{2, 3}, w.data(), 0.0, "the caller's tensor is unchanged by the in-place update");
            assertEquals(5, n.item());
        }
        assertEquals(1, compiles[0], "one compilation per graph");
        assertEquals(1, ex.compiledGraphs());
    }

    @Test
    void wrongShapesNameTheInput() {
        JvmExecutor ex = new JvmExecutor(g -> new InPlace());
        Tensor w = new Tensor(DType.F32, new int[]{3}, new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ex.run(ANY,
                Map.of("x", Tensor.zeros(DType.F32, 2, 2), "w", w, "n", Tensor.scalar(DType.I64, 0))));
        assertTrue(e.getMessage().contains("input w: expected f32[2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ex.run(ANY, Map.of("x", Tensor.zeros(DType.F32, 2, 2))));
        assertTrue(e.getMessage().contains("missing input w"), e.getMessage());
    }

    @Test
    void unsupportedGraphsFailWithTheWayOut() {
        JvmExecutor ex = new JvmExecutor(g -> { throw new UnsupportedOperationException("op frobnicate has no lowering"); });
        TrainException e = assertThrows(TrainException.class, () -> ex.run(ANY, Map.of()));
        assertTrue(e.getMessage().contains("frobnicate") && e.getMessage().contains("--backend interp"), e.getMessage());
    }

    // --- the real backend (JvmCompiler) ---

    static final Module MLP = TestModels.compile(TestModels.mlp(8));

    /** Relative error, with an absolute floor for values near zero; NaN never passes. */
    static void assertClose(Tensor want, Tensor got, double tol, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        for (int i = 0; i < want.size(); i++) {
            double a = want.data()[i], b = got.data()[i];
            assertFalse(Double.isNaN(b), what + "[" + i + "] is NaN");
            assertTrue(Math.abs(a - b) <= tol * Math.max(1, Math.max(Math.abs(a), Math.abs(b))), what + "[" + i + "]: interpreter " + a + ", jvm " + b);
        }
    }

    @Test
    void initAndEvalAgreeWithTheInterpreter() {
        Executor jvm = Executor.jvm(), ref = Executor.interpreter();
        Graph init = MLP.graph("init").orElseThrow(), eval = MLP.graph("eval").orElseThrow();
        Map<String, Tensor> key = Map.of(Trainer.RNG, Tensor.scalar(DType.I64, Rng.fold(7, 1)));
        Map<String, Tensor> w = ref.run(init, key), wj = jvm.run(init, key);
        // float32 rounding of each init value (a product of a uniform draw and a scale): 1e-6 relative
        for (String k : w.keySet()) assertClose(w.get(k), wj.get(k), 1e-5, "init " + k);
        var data = Synthetic.twoMoons(37, 0.1, 3);
        Map<String, Tensor> in = new HashMap<>(w);
        in.put("x", data.features().toTensor());
        in.put("y", data.labels().toTensor());
        in.put(Trainer.RNG, Tensor.scalar(DType.I64, 11));
        in.keySet().retainAll(eval.inputs().stream().map(v -> v.name()).toList());
        Map<String, Tensor> a = Interpreter.run(eval, in), b = jvm.run(eval, in);
        // float32 through two small dense layers, tanh and softmax: errors of a few ulp, far below 1e-4
        for (String k : a.keySet()) assertClose(a.get(k), b.get(k), 1e-4, "eval " + k);
    }

    @Test
    void trainsTheMlpToNinetySevenPercentOnTheJvm() {
        Trainer t = new Trainer(MLP.graph("init").orElseThrow(),
                java.util.List.of(SgdStepGraph.build(MLP.graph("train").orElseThrow(), "loss", 0.5, new dlc.passes.autodiff.Autodiff())),
                MLP.graph("eval").orElseThrow(), MLP.name(), TrainerTest.plan(25), Executor.jvm()).progress(TrainerTest.quiet());
        Trainer.Result r = t.fit(TrainerTest.MOONS, t.init());
        EpochRecord last = r.history().get(r.history().size() - 1);
        assertTrue(last.validationAccuracy() >= 0.97, "validation accuracy " + last.validationAccuracy());
    }
}
