package dlc.examples;

import dlc.codegen.jvm.Agreement;
import dlc.codegen.jvm.InferenceGraph;
import dlc.codegen.jvm.ModelJar;
import dlc.codegen.jvm.RuntimeTensors;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.runtime.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

/**
 * Every example as a model jar (what {@code dlc compile} writes): the inference graph (outputs
 * only, unused inputs dropped), the typed class and the weights load from the jar in a fresh class
 * loader, and the jar's generic {@code run(Map)} agrees with the interpreter on the same inputs and
 * weights (float32 vs float64 at {@link Agreement#RTOL}, justified there). A graph that draws
 * random numbers gets the jar's fixed key, so the interpreter runs with the same key.
 */
class ExamplesJarTest {
    @TempDir Path dir;

    @TestFactory
    Stream<DynamicTest> everyExampleRunsFromItsJar() throws IOException {
        return ExamplesForwardTest.examples().stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    private void check(Path file) throws Exception {
        ModelRunner r = ModelRunner.compile(file, 42);
        Graph g = InferenceGraph.of(ModelRunner.graph(r.module, "eval"), false);
        Map<String, dlc.runtime.Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            if (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) {
                weights.put(v.name(), RuntimeTensors.of(r.initial.get(v.name())));
                in.put(v.name(), r.initial.get(v.name()));
            } else if (ModelRunner.isRngKey(v)) {
                weights.put(v.name(), RuntimeTensors.of(Tensor.scalar(DType.I64, 1234)));
                in.put(v.name(), Tensor.scalar(DType.I64, 1234));
            }
        }
        // the interpreter sees the weights as the jar stores them (f32), so only the computation differs
        in.replaceAll((k, t) -> t.dtype() == DType.F32 ? Agreement.fromRuntime(RuntimeTensors.of(t)) : t);
        ModelJar.Built built = ModelJar.build(g, "ex." + r.module.name(), weights, r.module.name());
        Path jar = dir.resolve(r.module.name() + ".jar");
        Files.write(jar, built.jar());

        Map<String, Tensor> data = new LinkedHashMap<>();
        Map<String, Long> dims = new HashMap<>();
        Random rnd = new Random(5);
        for (Value v : g.inputs())
            if (built.inputs().contains(v.name())) data.put(v.name(), ModelRunner.random(v.type().dtype(), ModelRunner.concrete(v.type().shape(), dims), rnd));
        in.putAll(data);
        Map<String, Tensor> ref = Interpreter.run(g, in);

        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = cl.loadClass("ex." + r.module.name());
            Object model = c.getMethod("load").invoke(null);
            // the jar's own runtime classes (not this test's): Map and Tensor cross the loaders reflectively
            Class<?> tensor = cl.loadClass("dlc.runtime.Tensor");
            Map<String, Object> jin = new LinkedHashMap<>();
            for (var e : data.entrySet()) {
                dlc.runtime.Tensor t = RuntimeTensors.of(e.getValue());
                jin.put(e.getKey(), tensor.getConstructor(String.class, int[].class, Object.class).newInstance(t.dtype(), t.shape(), t.data()));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) c.getMethod("run", Map.class).invoke(model, jin);
            Map<String, Tensor> got = new LinkedHashMap<>();
            for (var e : out.entrySet()) {
                Object t = e.getValue();
                got.put(e.getKey(), Agreement.fromRuntime(new dlc.runtime.Tensor((String) tensor.getMethod("dtype").invoke(t),
                        (int[]) tensor.getMethod("shape").invoke(t), tensor.getMethod("data").invoke(t))));
            }
            Agreement.compare(ref, got);
        }
    }
}
