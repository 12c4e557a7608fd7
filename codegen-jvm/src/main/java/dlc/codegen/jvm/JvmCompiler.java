package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Sizes;
import dlc.passes.PassManager;
import dlc.runtime.CompiledGraph;

import java.util.Map;

/**
 * The JVM backend's entry point: graph in, class files out.
 *
 * <pre>
 * CompiledGraph step = JvmCompiler.load(graph);            // optimize, generate, define, instantiate
 * Object[] out = step.run(new Object[]{x, w, ...}, new long[]{128});
 * </pre>
 */
public final class JvmCompiler {
    private JvmCompiler() {}

    /** Runs the standard pipeline (shape inference, simplify, fusion) and generates the classes. */
    public static CompiledClasses compile(Graph graph, String className) {
        Sizes.check(graph, Map.of()); // sizes written in the program that no array holds: named at their source
        return generate(PassManager.standard().run(graph), className);
    }

    /**
     * {@link #compile(Graph, String)} with the weight inputs named in {@code narrowWeights} stored
     * narrow ("bf16" or "int8"; see {@link NarrowWeights}): the compiled graph takes each as a
     * {@code dlc.runtime.NarrowMatrix}, and its matmuls read it through {@code dlc.runtime.NarrowGemm}.
     */
    public static CompiledClasses compile(Graph graph, String className, Map<String, String> narrowWeights) {
        Sizes.check(graph, Map.of());
        Graph optimized = PassManager.standard().run(graph);
        Sizes.check(optimized, Map.of());
        return ClassEmitter.emit(optimized, className, narrowWeights);
    }

    /** Generates classes for a graph as it is (already optimized, or not: every plain node is a group of one). */
    public static CompiledClasses generate(Graph graph, String className) {
        Sizes.check(graph, Map.of());
        return ClassEmitter.emit(graph, className);
    }

    /** {@link #compile} then {@link CompiledClasses#instantiate}, with a class name made from the graph's. */
    public static CompiledGraph load(Graph graph) {
        return compile(graph, "dlc.gen." + javaName(graph.name())).instantiate();
    }

    /** A Java identifier from a graph name ({@code step.gen} becomes {@code step_gen}). */
    public static String javaName(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) sb.append(Character.isJavaIdentifierPart(c) ? c : '_');
        if (sb.length() == 0 || !Character.isJavaIdentifierStart(sb.charAt(0))) sb.insert(0, 'G');
        return sb.toString();
    }
}
