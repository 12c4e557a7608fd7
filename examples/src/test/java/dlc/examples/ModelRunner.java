package dlc.examples;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compiles a .dl file and runs its graphs on the float64 reference interpreter: the {@code init}
 * graph gives every parameter and state its first value, then {@code eval} (or {@code train})
 * runs with those and with caller-chosen or random inputs. Inputs of role INPUT that are rank-0
 * i64 tensors are RNG keys and get the seed.
 */
final class ModelRunner {
    /** The compiled module and the values its init graph produced (params and state by name). */
    final Module module;
    final Map<String, Tensor> initial;
    final long seed;

    private ModelRunner(Module module, Map<String, Tensor> initial, long seed) {
        this.module = module;
        this.initial = initial;
        this.seed = seed;
    }

    /** Compiles {@code file} (which must give no diagnostics at all) and runs its init graph. */
    static ModelRunner compile(Path file, long seed) {
        return init(Frontend.compile(file, null), file.toString(), seed);
    }

    private static ModelRunner init(Compilation c, String file, long seed) {
        assertTrue(c.diagnostics().isEmpty(), () -> file + " gave diagnostics:\n" + c.render());
        assertNotNull(c.module(), file + " compiled without a module");
        Graph init = graph(c.module(), "init");
        Map<String, Tensor> initInputs = new HashMap<>();
        for (Value v : init.inputs()) {
            if (isRngKey(v)) initInputs.put(v.name(), Tensor.scalar(DType.I64, seed));
            else fail("init graph of " + file + " has an input that is not an RNG key: " + v);
        }
        Map<String, Tensor> initial = Interpreter.run(init, initInputs);
        initial.forEach((name, t) -> assertAllFinite(file + " init " + name, t));
        return new ModelRunner(c.module(), initial, seed);
    }

    /** Compiles a model written inline (std unit tests), in a temporary file. */
    static ModelRunner compileSource(String source, long seed) {
        return init(Frontend.compileSource("test_model.dl", source, null), "test_model.dl", seed);
    }

    static Graph graph(Module m, String name) {
        return m.graph(name).orElseThrow(() -> new AssertionError("module " + m.name() + " has no '" + name + "' graph"));
    }

    static boolean isRngKey(Value v) {
        return v.role() == Value.Role.INPUT && v.type().dtype() == DType.I64 && v.type().rank() == 0;
    }

    /**
     * Runs graph {@code graphName}: params and state from init, RNG keys from the seed, data inputs
     * from {@code given} or else from {@code random(name, shape)}. Symbolic dims are bound from
     * {@code dims} when generating random inputs.
     */
    Map<String, Tensor> run(String graphName, Map<String, Tensor> given) {
        return run(graphName, given, seed + 1);
    }

    /** Like {@link #run(String, Map)} with an explicit RNG key for the run. */
    Map<String, Tensor> run(String graphName, Map<String, Tensor> given, long rngKey) {
        Graph g = graph(module, graphName);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            if (given.containsKey(v.name())) in.put(v.name(), given.get(v.name()));
            else if (initial.containsKey(v.name())) in.put(v.name(), initial.get(v.name()));
            else if (isRngKey(v)) in.put(v.name(), Tensor.scalar(DType.I64, rngKey));
            else fail("graph " + graphName + " needs input '" + v.name() + "' (" + v.type() + ") and none was given");
        }
        return Interpreter.run(g, in);
    }

    /** Random data for every INPUT of {@code graphName} (not RNG keys, not params or state). */
    Map<String, Tensor> randomInputs(String graphName, Map<String, Long> dims, Random rnd) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : graph(module, graphName).inputs()) {
            if (v.role() != Value.Role.INPUT || isRngKey(v) || initial.containsKey(v.name())) continue;
            in.put(v.name(), random(v.type().dtype(), concrete(v.type().shape(), dims), rnd));
        }
        return in;
    }

    /**
     * A random tensor: floats uniform in [0, 1) (valid as data, probabilities, masks and currents),
     * integers in [0, 3) (valid labels and tokens for every example, which all have at least 3
     * classes), bools fair coins.
     */
    static Tensor random(DType dtype, int[] shape, Random rnd) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = dtype.isFloating() ? rnd.nextDouble() : dtype.isInteger() ? rnd.nextInt(3) : rnd.nextInt(2);
        }
        return new Tensor(dtype, shape, d);
    }

    /**
     * Binds every symbol of {@code s} that {@code dims} does not name yet: B to 3, any other
     * symbol (T, S, P, N...) to 5.
     */
    static int[] concrete(Shape s, Map<String, Long> dims) {
        for (String sym : s.symbols()) dims.computeIfAbsent(sym, k -> k.equals("B") ? 3L : 5L);
        return s.eval(dims);
    }

    static void assertAllFinite(String what, Tensor t) {
        double[] d = t.data();
        for (int i = 0; i < d.length; i++)
            if (!Double.isFinite(d[i])) fail(what + ": element " + i + " is " + d[i] + " (shape " + java.util.Arrays.toString(t.shape()) + ")");
    }

    /** Checks that the actual shape equals the declared one under the bound dims. */
    static void assertShape(String what, Shape declared, Tensor actual, Map<String, Long> dims) {
        for (String sym : declared.symbols())
            assertTrue(dims.containsKey(sym), what + ": output dim " + sym + " is not bound by any input");
        assertEquals(java.util.Arrays.toString(declared.eval(dims)), java.util.Arrays.toString(actual.shape()),
                what + ": declared " + declared);
    }

    /** A tensor filled by flat index: element i is f(i, shape). */
    static Tensor filled(DType dtype, int[] shape, BiFunction<Integer, int[], Double> f) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = f.apply(i, shape);
        return new Tensor(dtype, shape, d);
    }
}
