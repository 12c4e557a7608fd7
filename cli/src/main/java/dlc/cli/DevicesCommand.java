package dlc.cli;

import dlc.codegen.opencl.ClDevice;
import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dlc devices}: the OpenCL platforms and devices of this machine, and the device the
 * OpenCL backend picks (the first GPU, else accelerator, else CPU) or the one {@code --device}
 * names. No OpenCL loader, platform or matching device is one line and exit 1.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the OpenCL platforms and devices (name, type, compute units, memory, max work-group size, OpenCL version)"
                + " and say which device the OpenCL backend picks.",
                "The OpenCL backend's graph compiler (--backend opencl) is not built yet; see docs/opencl-backend.md."})
final class DevicesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--device", paramLabel = "N|NAME",
            description = "Show which device this choice picks: an index, gpu, accelerator, cpu, or a substring of the device's name.")
    String device;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ClDevice> devices;
        ClDevice picked;
        try {
            devices = Devices.list();
            picked = Devices.select(devices, device);
        } catch (OpenClException e) {
            throw new UserError(e.getMessage());
        }
        int platform = -1;
        for (ClDevice d : devices) {
            if (d.platformIndex() != platform) {
                platform = d.platformIndex();
                out.println("platform " + platform + ": " + d.platformName());
            }
            out.println((d == picked ? "  * " : "    ") + line(d));
        }
        out.println(device == null
                ? "default: device " + picked.index() + " (" + picked.name() + "), " + why(picked)
                : "--device " + device + ": device " + picked.index() + " (" + picked.name() + ")");
        out.flush();
        return 0;
    }

    /** e.g. {@code device 0: NAME, cpu, 2 compute units, 21.5 GiB memory (8.0 GiB per buffer), work-groups up to 4096, OpenCL 3.0 ..., fp64}. */
    static String line(ClDevice d) {
        return "device " + d.index() + ": " + d.name() + ", " + d.type().word() + ", " + d.computeUnits() + " compute units, "
                + gib(d.globalMemBytes()) + " memory (" + gib(d.maxAllocBytes()) + " per buffer), work-groups up to " + d.maxWorkGroupSize()
                + ", " + d.openclVersion() + (d.fp64() ? ", fp64" : ", no fp64");
    }

    private static String why(ClDevice picked) {
        return switch (picked.type()) {
            case GPU -> "the first GPU";
            case ACCELERATOR -> "the first accelerator (there is no GPU)";
            case CPU -> "the first CPU (there is no GPU or accelerator)";
            case OTHER -> "the first device";
        };
    }

    private static String gib(long bytes) { return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30)); }
}
