package dlc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of a model jar ({@code java -jar model.jar --input x=in.npy --output out.npy}):
 * the generated model class's {@code main} hands itself here. Inputs come from .npy files (cast to
 * the input's dtype, so NumPy's default float64 works for an f32 input); outputs go to .npy files,
 * and each output's shape and statistics are printed. Mistakes are one line on stderr: exit 2 for
 * a command line that makes no sense, 1 for input that fails.
 */
public final class ModelMain {
    private ModelMain() {}

    /** Runs {@code args} on {@code model}, exiting with a non-zero status on failure. */
    public static void main(Model model, String[] args) {
        int code = run(model, args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs {@code args}; returns the exit status. */
    public static int run(Model model, String[] args, PrintStream out, PrintStream err) {
        Map<String, Path> inputs = new LinkedHashMap<>(), outputs = new LinkedHashMap<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(usage(model));
                        return 0;
                    }
                    case "--input", "--output" -> {
                        if (i + 1 >= args.length) throw new Usage(a + " needs a value");
                        String v = args[++i];
                        boolean input = a.equals("--input");
                        int eq = v.indexOf('=');
                        String name;
                        if (eq > 0) name = v.substring(0, eq);
                        else if (input ? model.inputNames().size() == 1 : model.outputNames().size() == 1)
                            name = (input ? model.inputNames() : model.outputNames()).get(0);
                        else throw new Usage(a + " " + v + ": the model has several " + (input ? "inputs " + model.inputNames() : "outputs " + model.outputNames())
                                    + "; write " + a + " NAME=FILE.npy");
                        Path file = Path.of(v.substring(eq + 1));
                        if (input && !model.inputNames().contains(name))
                            throw new Usage("the model has no input '" + name + "'; its inputs are " + model.inputNames());
                        if (!input && !model.outputNames().contains(name))
                            throw new Usage("the model has no output '" + name + "'; its outputs are " + model.outputNames());
                        (input ? inputs : outputs).put(name, file);
                    }
                    default -> throw new Usage("unknown argument '" + a + "'");
                }
            }
            for (String name : model.inputNames())
                if (!inputs.containsKey(name)) {
                    Signature.Port p = model.signature().inputs().get(model.signature().inputIndex(name));
                    throw new Usage("missing --input " + name + "=FILE.npy (" + p.dtype() + p.shapeText() + ")");
                }
        } catch (Usage u) {
            err.println("error: " + u.getMessage() + " (see --help)");
            return 2;
        }
        try {
            Map<String, Tensor> given = new LinkedHashMap<>();
            for (var e : inputs.entrySet()) {
                Signature.Port p = model.signature().inputs().get(model.signature().inputIndex(e.getKey()));
                try {
                    given.put(e.getKey(), Npy.cast(Npy.read(e.getValue()), p.dtype()));
                } catch (NoSuchFileException nf) {
                    throw new IOException("no such file: " + e.getValue());
                } catch (IOException io) {
                    throw new IOException(e.getValue() + ": " + io.getMessage(), io);
                }
            }
            Map<String, Tensor> result = model.run(given);
            for (var e : result.entrySet()) {
                Path file = outputs.get(e.getKey());
                out.println(summary(e.getKey(), e.getValue()) + (file == null ? "" : " -> " + file));
                if (file != null)
                    try (OutputStream s = Files.newOutputStream(file)) {
                        Npy.write(s, e.getValue());
                    }
            }
            return 0;
        } catch (IOException | IllegalArgumentException | IllegalStateException | OpFailure e) { // OpFailure: a bad input value, e.g. an index out of range
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** e.g. {@code probs: f32[4, 10]  min 0.01  max 0.9  mean 0.1}. */
    static String summary(String name, Tensor t) {
        int n = t.numel();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        String shape = t.dtype() + java.util.Arrays.toString(t.shape());
        if (n == 1) return name + ": " + shape + " = " + String.format("%.6g", t.get(0));
        if (n == 0) return name + ": " + shape;
        return name + ": " + shape + String.format("  min %.6g  max %.6g  mean %.6g", min, max, sum / n);
    }

    static String usage(Model model) {
        Signature sig = model.signature();
        StringBuilder sb = new StringBuilder("usage: java --add-modules jdk.incubator.vector -jar MODEL.jar --input NAME=FILE.npy ... [--output NAME=FILE.npy ...]\n");
        sb.append("Runs the compiled model on .npy inputs and writes its outputs as .npy files.\n");
        sb.append("On JDK 17 also give java -XX:+UnlockDiagnosticVMOptions -XX:+IncrementalInlineForceCleanup,\n"
                + "without which some JVM runs box every vector in the kernels (much slower).\ninputs:\n");
        for (String name : model.inputNames()) {
            Signature.Port p = sig.inputs().get(sig.inputIndex(name));
            sb.append("  ").append(name).append(": ").append(p.dtype()).append(p.shapeText()).append('\n');
        }
        sb.append("outputs:\n");
        for (Signature.Port p : sig.outputs()) sb.append("  ").append(p.name()).append(": ").append(p.dtype()).append(p.shapeText()).append('\n');
        return sb.toString();
    }

    private static final class Usage extends Exception {
        Usage(String message) { super(message, null, false, false); }
    }
}
