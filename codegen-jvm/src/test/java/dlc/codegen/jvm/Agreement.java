package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.testing.F64Agreement;
import dlc.runtime.CompiledGraph;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs a graph on the JVM backend and on the float64 reference interpreter and compares them.
 *
 * <p>Tolerance: the backend computes in float32 (unit roundoff 6e-8); a chain of a few dozen ops
 * or a sum of n terms loses at most a few hundred ulps in the worst case, about 1e-5 relative to
 * the magnitudes involved. An element passes when |jvm - ref| <= 1e-4 * (|ref| + scale), scale
 * being the largest |ref| of that output (cancellation in a sum makes the element's own relative
 * error meaningless, not the error relative to the terms). An output that is zero up to rounding
 * in float64 (a gradient that cancels exactly, such as attention's key bias) is float32 rounding
 * noise on the jvm side, so an absolute floor of 1e-6 times the largest |ref| of all outputs
 * applies too. NaN or infinity in either never passes unless both agree exactly (an intended
 * infinity).
 */
public final class Agreement {
    public static final double RTOL = 1e-4;

    private Agreement() {}

    /** Compiles (standard pipeline when {@code optimize}), verifies the bytecode, runs both and compares. */
    public static Map<String, Tensor> check(Graph g, Map<String, Long> dims, long seed, boolean optimize) {
        CompiledClasses cc = optimize ? JvmCompiler.compile(g, "dlc.gen.T" + Math.abs(seed)) : JvmCompiler.generate(g, "dlc.gen.T" + Math.abs(seed));
        verify(cc);
        CompiledGraph cg = cc.instantiate();
        Map<String, Tensor> in = randomInputs(g, dims, new Random(seed));
        Map<String, Tensor> ref = Interpreter.run(g, in);
        Map<String, Tensor> got = run(cg, g, in);
        compare(ref, got);
        // a second run on the same instance must give the same answer (buffers are reused)
        compare(got, run(cg, g, in), 0);
        return got;
    }

    public static void verify(CompiledClasses cc) {
        for (var e : cc.classes().entrySet()) {
            StringWriter sw = new StringWriter();
            CheckClassAdapter.verify(new ClassReader(e.getValue()), new CompiledClasses.GeneratedClassLoader(cc.classes()), false, new PrintWriter(sw));
            assertTrue(sw.toString().isEmpty(), "generated class " + e.getKey() + " does not verify:\n" + sw);
        }
    }

    public static Map<String, Tensor> run(CompiledGraph cg, Graph g, Map<String, Tensor> in) {
        Map<String, dlc.runtime.Tensor> rin = new LinkedHashMap<>();
        for (Value v : g.inputs()) rin.put(v.name(), toRuntime(in.get(v.name())));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : cg.run(rin).entrySet()) out.put(e.getKey(), fromRuntime(e.getValue()));
        return out;
    }

    public static dlc.runtime.Tensor toRuntime(Tensor t) {
        double[] d = t.data();
        if (t.dtype() == DType.F32) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return new dlc.runtime.Tensor("f32", t.shape(), f);
        }
        return new dlc.runtime.Tensor(t.dtype().text(), t.shape(), d.clone());
    }

    public static Tensor fromRuntime(dlc.runtime.Tensor t) {
        double[] d = new double[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = t.get(i);
        return new Tensor(DType.fromText(t.dtype()), t.shape(), d);
    }

    /** Inputs: floats uniform in [-1, 1] rounded to float32 (so both sides see the same values), integers in [0, 4), bools 0/1. */
    public static Map<String, Tensor> randomInputs(Graph g, Map<String, Long> dims, Random r) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(dims);
            double[] d = new double[(int) Tensor.numel(shape)];
            for (int i = 0; i < d.length; i++)
                d[i] = switch (v.type().dtype()) {
                    case BOOL -> r.nextBoolean() ? 1 : 0;
                    case I8, U8, I32, I64 -> r.nextInt(4);
                    default -> (float) (r.nextDouble() * 2 - 1);
                };
            in.put(v.name(), new Tensor(v.type().dtype(), shape, d));
        }
        return in;
    }

    public static void compare(Map<String, Tensor> ref, Map<String, Tensor> got) { compare(ref, got, RTOL); }

    public static void compare(Map<String, Tensor> ref, Map<String, Tensor> got, double rtol) {
        assertEquals(ref.keySet(), got.keySet(), "outputs");
        double global = 0;
        for (Tensor t : ref.values()) for (double x : t.data()) if (Double.isFinite(x)) global = Math.max(global, Math.abs(x));
        double floor = rtol == 0 ? 0 : 1e-6 * global;
        for (String k : ref.keySet()) {
            Tensor a = ref.get(k), b = got.get(k);
            assertArrayEquals(a.shape(), b.shape(), "shape of " + k);
            double scale = 0;
            for (double x : a.data()) if (Double.isFinite(x)) scale = Math.max(scale, Math.abs(x));
            for (int i = 0; i < a.data().length; i++) {
                double x = a.data()[i], y = b.data()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y)) {
                    assertTrue(x == y && !Double.isNaN(x), k + "[" + i + "]: reference " + x + ", jvm " + y);
                    continue;
                }
                assertTrue(Math.abs(x - y) <= rtol * (Math.abs(x) + scale) + floor,
                        k + "[" + i + "]: reference " + x + ", jvm " + y + " (scale " + scale + ")");
            }
        }
    }

    /**
     * The check of f64-retyped graphs, where both sides compute in double and any difference is a
     * codegen bug ({@link F64Agreement}, shared with the OpenCL backend's suite); a failure prints the graph.
     */
    public static void compareF64(Map<String, Tensor> ref, Map<String, Tensor> got, Graph g, boolean optimize) {
        F64Agreement.check(ref, got, "jvm", () -> (optimize ? " (optimized)" : "") + "\n" + g);
    }
}
