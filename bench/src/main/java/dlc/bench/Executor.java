package dlc.bench;

import java.util.List;

/**
 * Something that runs one graph on flat arrays: the JVM backend's compiled class (what is timed)
 * or the float64 reference interpreter (to check the workloads and the compiled results).
 * Arrays: {@code float[]} for f32, {@code double[]} for every other dtype (the JVM backend's storage).
 */
interface Executor {
    /** One input: its name, dtype ("f32", "i32", ...) and dims as text ("B", "784", "4*H"). */
    record In(String name, String dtype, List<String> dims) {}

    /** One output: name, role (OUTPUT, LOSS, UPDATE, GRAD) and, for an UPDATE, the input it replaces. */
    record Out(String name, String role, String updates) {}

    List<String> symbols();

    List<In> inputs();

    List<Out> outputs();

    /**
     * Runs on inputs in {@link #inputs()} order, symbols in {@link #symbols()} order. An executor
     * that keeps state on a device may return, for an UPDATE output, the array of the input it
     * replaces without writing it (the update stays on the device); {@link #sync} brings it back.
     */
    Object[] run(Object[] in, long[] symbols);

    /** Writes into {@code in}'s arrays every value the last runs left only on a device (nothing for the JVM backend). */
    default void sync(Object[] in) {}
}
