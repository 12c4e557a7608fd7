package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.passes.memory.MemoryPlan;

import java.util.Map;

/**
 * The memory plan the JVM backend follows for a graph as it is (run the pipeline first for what
 * {@link JvmCompiler#compile} generates): the one {@link dlc.passes.memory.MemoryPlanner} plan, with
 * the JVM's views, group temporaries and in-place rules and its storage (f32 in {@code float[]},
 * the rest in {@code double[]}). A compiled graph allocates exactly its slots
 * ({@link dlc.runtime.CompiledGraph#bufferBytes} minus kernel scratch).
 */
public final class JvmMemoryPlan {
    /** Each slot is an array of its own: no alignment between them. */
    public static final long ALIGNMENT = 1;

    private JvmMemoryPlan() {}

    /** The plan of {@code g}, which the classes generated for {@code g} follow. */
    public static MemoryPlan of(Graph g) { return StoragePlan.analyze(g).memory(); }

    /** The plan of {@code g} under a binding of its symbolic dims. */
    public static MemoryPlan.Layout layout(Graph g, Map<String, Long> bindings) { return of(g).layout(bindings, ALIGNMENT); }
}
