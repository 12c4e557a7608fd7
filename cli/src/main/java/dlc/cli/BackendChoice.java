package dlc.cli;

import dlc.train.Executor;
import picocli.CommandLine.Option;

/** {@code --backend jvm|interp}: what runs the graphs of run, train and eval (a picocli mixin). */
final class BackendChoice {
    /** The backends a command can run graphs on. */
    enum Backend {
        /** Graphs compiled to JVM classes (float32 for f32 values); the default. */
        jvm,
        /** The float64 reference interpreter: slow, the oracle every backend is tested against. */
        interp
    }

    @Option(names = "--backend", paramLabel = "jvm|interp", defaultValue = "jvm",
            description = "What runs the graphs: jvm (compiled to JVM classes, f32 in float32; default) or interp (the float64 reference interpreter).")
    Backend backend = Backend.jvm;

    /** A fresh executor of the chosen backend (the JVM one caches compiled graphs, so use one per command). */
    Executor executor() { return backend == Backend.jvm ? Executor.jvm() : Executor.interpreter(); }
}
