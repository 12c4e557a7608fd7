package dlc.cli;

import dlc.train.Executor;
import picocli.CommandLine.Option;

/** {@code --backend jvm|interp|opencl} and {@code --device}: what runs the graphs of run, train and eval (a picocli mixin). */
final class BackendChoice {
    /** The backends a command can run graphs on. */
    enum Backend {
        /** Graphs compiled to JVM classes (float32 for f32 values); the default. */
        jvm,
        /** The float64 reference interpreter: slow, the oracle every backend is tested against. */
        interp,
        /** Graphs compiled to OpenCL kernels on an OpenCL device (float32 for f32 values); see docs/opencl-backend.md. */
        opencl
    }

    @Option(names = "--backend", paramLabel = "jvm|interp|opencl", defaultValue = "jvm",
            description = "What runs the graphs: jvm (compiled to JVM classes, f32 in float32; default), interp (the float64 reference "
                    + "interpreter) or opencl (compiled to OpenCL kernels on the --device; `dlc devices` lists them).")
    Backend backend = Backend.jvm;

    @Option(names = "--device", paramLabel = "N|NAME",
            description = "With --backend opencl: the device, an index from `dlc devices`, gpu, accelerator, cpu, or a substring of its name "
                    + "(default: the first GPU, else accelerator, else CPU).")
    String device;

    /** A fresh executor of the chosen backend (the compiled ones cache compiled graphs, so use one per command). */
    Executor executor() {
        if (device != null && backend != Backend.opencl)
            throw new UserError("--device chooses an OpenCL device; it needs --backend opencl", UserError.USAGE);
        return switch (backend) {
            case jvm -> Executor.jvm();
            case interp -> Executor.interpreter();
            case opencl -> Executor.opencl(device);
        };
    }
}
