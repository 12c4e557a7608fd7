package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import dlc.runtime.NarrowMatrix;
import dlc.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * --weights-dtype on the JVM backend: which weights are narrowed, and a graph compiled with narrow
 * weights against the float64 interpreter running the same rounded weights.
 */
class NarrowWeightsTest {
    /** A dense-relu-dense head with a bias (not narrowed) and a weight also read by an add (not narrowed). */
    static final Graph MLP = IrParser.parseGraph("""
            graph g(%x: f32[B, 40], param %w1: f32[40, 37], param %b1: f32[37], param %w2: f32[37, 10], param %e: f32[10, 10]) {
              %0 = matmul(%x, %w1) : f32[B, 37]
              %1 = add(%0, %b1) : f32[B, 37]
              %2 = relu(%1) : f32[B, 37]
              %3 = matmul(%2, %w2) : f32[B, 10]
              %4 = matmul(%3, %e) : f32[B, 10]
              %5 = add(%4, %e) : f32[10, 10]
              output y = %4
              output z = %5
            }
            """.replace("%5 = add(%4, %e) : f32[10, 10]", "%5 = add(%e, %e) : f32[10, 10]"));

    @Test void onlyMatrixParamsReadAsAMatmulsRightOperandAreNarrowed() {
        assertEquals(Map.of("w1", "int8", "w2", "int8"), NarrowWeights.select(MLP, "int8"), "not the bias b1, not e (also read by add)");
        assertEquals(Map.of(), NarrowWeights.select(MLP, "f32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NarrowWeights.select(MLP, "f8"));
        assertTrue(e.getMessage().contains("f32, bf16, int8"), e.getMessage());
    }

    static Map<String, dlc.ir.eval.Tensor> inputs(int batch, long seed) {
        Random r = new Random(seed);
        Map<String, dlc.ir.eval.Tensor> in = new HashMap<>();
        for (var v : MLP.inputs()) {
            int[] shape = v.name().equals("x") ? new int[]{batch, 40} : v.type().shape().dims().stream().mapToInt(d -> (int) d.value()).toArray();
            double[] d = new double[(int) dlc.ir.eval.Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * (v.name().equals("x") ? 1 : 0.3));
            in.put(v.name(), new dlc.ir.eval.Tensor(DType.F32, shape, d));
        }
        return in;
    }

    /**
     * The compiled graph with w1, w2 narrow against the interpreter on the rounded weights, for
     * batch 1 and 3 (the narrow weight-stationary path) and 20 (decoded, packed GEMM). The values
     * are sums of 40 and 37 products of order 1 computed in float32 against float64: a few ulp of
     * float32 each, so 1e-4 relative (to the larger of the value and 1) is far above the rounding
     * and far below a wrong weight (int8's rounding moves outputs by about 1e-2 here).
     */
    @Test void narrowGraphAgreesWithTheInterpreterOnTheRoundedWeights() {
        for (String format : List.of("bf16", "int8")) {
            Map<String, String> formats = NarrowWeights.select(MLP, format);
            CompiledGraph cg = JvmCompiler.compile(MLP, "dlc.gen.NarrowMlp_" + format, formats).instantiate();
            assertEquals(format, cg.signature().inputs().get(cg.signature().inputIndex("w1")).dtype());
            for (int batch : new int[]{1, 3, 20}) {
                Map<String, dlc.ir.eval.Tensor> in = inputs(batch, batch * 7L);
                Map<String, dlc.ir.eval.Tensor> want = Interpreter.run(MLP, NarrowWeights.roundAll(in, formats));
                Map<String, dlc.ir.eval.Tensor> plain = Interpreter.run(MLP, in);
                Map<String, Tensor> args = new HashMap<>();
                in.forEach((name, t) -> args.put(name, formats.containsKey(name) ? NarrowWeights.pack(t, format) : RuntimeTensors.of(t)));
                Map<String, Tensor> got = cg.run(args);
                double[] y = want.get("y").data();
                double moved = 0;
                for (int i = 0; i < y.length; i++) {
                    double g = got.get("y").get(i);
                    assertTrue(Math.abs(g - y[i]) <= 1e-4 * Math.max(1, Math.abs(y[i])), format + " batch " + batch + " element " + i + ": interpreter " + y[i] + ", jvm " + g);
                    moved = Math.max(moved, Math.abs(y[i] - plain.get("y").data()[i]));
                }
                assertTrue(moved > 1e-5, format + ": the rounded weights change the outputs (by " + moved + "), so the check above sees them");
            }
        }
    }

    @Test void aNarrowWeightReadByAnotherOpIsRefusedWithItsName() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> JvmCompiler.compile(MLP, "dlc.gen.BadNarrow", Map.of("e", "bf16")));
        assertTrue(e.getMessage().contains("weight e is stored as bf16"), e.getMessage());
        IllegalArgumentException bias = assertThrows(IllegalArgumentException.class,
                () -> JvmCompiler.compile(MLP, "dlc.gen.BadNarrow2", Map.of("b1", "int8")));
        assertTrue(bias.getMessage().contains("only an f32 matrix parameter"), bias.getMessage());
    }

    @Test void aWrongStorageForANarrowInputNamesIt() {
        CompiledGraph cg = JvmCompiler.compile(MLP, "dlc.gen.NarrowMlpCheck", NarrowWeights.select(MLP, "int8")).instantiate();
        Map<String, dlc.ir.eval.Tensor> in = inputs(2, 1);
        Object[] args = new Object[cg.signature().inputs().size()];
        for (int i = 0; i < args.length; i++) args[i] = RuntimeTensors.of(in.get(cg.signature().inputs().get(i).name())).data();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cg.run(args, new long[]{2}));
        assertTrue(e.getMessage().contains("input w1: expected int8[40, 37] = a int8 NarrowMatrix"), e.getMessage());
    }

    /** A model jar of the narrowed graph stores the weights narrow (bf16 bits, int8 codes + scales) and its model reads them back. */
    @Test void modelJarStoresNarrowWeightsAndRunsThem() throws Exception {
        Map<String, dlc.ir.eval.Tensor> in = inputs(2, 5);
        Graph g = InferenceGraph.of(MLP, false);
        Map<String, String> formats = NarrowWeights.select(g, "int8");
        Map<String, Tensor> presets = new HashMap<>();
        for (var v : g.inputs())
            if (v.role() == dlc.ir.Value.Role.PARAM)
                presets.put(v.name(), formats.containsKey(v.name()) ? NarrowWeights.pack(in.get(v.name()), "int8") : RuntimeTensors.of(in.get(v.name())));
        ModelJar.Built built = ModelJar.build(g, "com.acme.Narrow", presets, "Narrow");
        Map<String, byte[]> entries = ModelJar.modelEntries(built.jar());
        byte[] w1 = entries.get("com/acme/Narrow.weights/w1.npy");
        assertNotNull(w1, entries.keySet().toString());
        assertTrue(new String(w1, 0, 80, java.nio.charset.StandardCharsets.ISO_8859_1).contains("'descr': '|i1'"));
        assertNotNull(entries.get("com/acme/Narrow.weights/w1.scales.npy"));
        assertTrue(new String(entries.get("com/acme/Narrow.weights/b1.npy"), 0, 80, java.nio.charset.StandardCharsets.ISO_8859_1).contains("<f4"), "the bias stays f32");
        assertEquals(List.of(), ModelJar.verify(built));
        // the jar's model, loaded from its own resources, against the interpreter on the rounded weights
        java.nio.file.Path jar = java.nio.file.Files.createTempFile("narrow", ".jar");
        try {
            java.nio.file.Files.write(jar, built.jar());
            try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[]{jar.toUri().toURL()}, null)) {
                Class<?> c = loader.loadClass("com.acme.Narrow");
                Object model = c.getMethod("load").invoke(null);
                float[] x = RuntimeTensors.of(in.get("x")).floats();
                float[] y = (float[]) c.getMethod("y", float[].class, int.class).invoke(model, x, 2);
                double[] want = Interpreter.run(g, NarrowWeights.roundAll(in, formats)).get("y").data();
                for (int i = 0; i < want.length; i++)
                    assertTrue(Math.abs(y[i] - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])), "element " + i + ": " + want[i] + " vs " + y[i]);
            }
        } finally {
            java.nio.file.Files.delete(jar);
        }
    }

    @Test void packedAndRoundedWeightsHoldTheSameValues() {
        dlc.ir.eval.Tensor w = inputs(1, 3).get("w1");
        for (String f : List.of("bf16", "int8")) {
            NarrowMatrix q = (NarrowMatrix) NarrowWeights.pack(w, f).data();
            double[] r = NarrowWeights.round(w, f).data();
            for (int i = 0; i < r.length; i++) assertEquals(r[i], q.get(i), 0.0, f + " element " + i);
        }
    }
}
