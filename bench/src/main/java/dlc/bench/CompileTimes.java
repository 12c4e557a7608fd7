package dlc.bench;

import dlc.codegen.jvm.CompiledClasses;
import dlc.codegen.jvm.JvmCompiler;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.Graph;
import dlc.passes.PassManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compile time of .dl files through the whole JVM pipeline: frontend (parse, stage, autodiff and
 * train lowering), the standard passes and class generation for every graph of the module (init,
 * train, eval, the step graphs), plus defining and instantiating the classes (what
 * {@code JvmCompiler.load} adds). Each file is compiled {@code 1 + repeats} times in this JVM; the
 * first time is "cold" for that file (run one file per JVM to get a fresh-JVM figure, as
 * bench/run.sh does), the median of the repeats is "warm".
 *
 * <pre>java -cp ... dlc.bench.CompileTimes [--repeats N] FILE.dl...</pre>
 * Prints {@code compile FILE graphs=N first_ms=.. frontend_ms=.. passes_ms=.. codegen_ms=.. load_ms=.. warm_ms=.. class_bytes=..},
 * or {@code compile FILE FAILED <reason>}.
 */
public final class CompileTimes {
    private CompileTimes() {}

    record Times(int graphs, double frontend, double passes, double codegen, double load, long classBytes) {
        double total() { return frontend + passes + codegen + load; }
    }

    public static void main(String[] args) {
        int repeats = 3;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repeats")) repeats = Integer.parseInt(args[++i]);
            else files.add(Path.of(args[i]));
        }
        int failures = 0;
        for (Path f : files) {
            try {
                Times first = once(f);
                double[] warm = new double[repeats];
                for (int r = 0; r < repeats; r++) warm[r] = once(f).total();
                System.out.printf(Locale.ROOT, "compile %s graphs=%d first_ms=%.1f frontend_ms=%.1f passes_ms=%.1f codegen_ms=%.1f"
                                + " load_ms=%.1f warm_ms=%.1f class_bytes=%d%n", f.getFileName(), first.graphs, first.total(),
                        first.frontend, first.passes, first.codegen, first.load, Timing.Result.median(warm), first.classBytes);
            } catch (RuntimeException | LinkageError e) {
                failures++;
                System.out.printf("compile %s FAILED %s%n", f.getFileName(), String.valueOf(e).replace('\n', ' '));
            }
            System.out.flush();
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    static Times once(Path file) {
        long t0 = System.nanoTime();
        Compilation c = Frontend.compile(file, null);
        if (!c.ok() || c.module() == null) throw new IllegalStateException("frontend: " + c.render());
        long t1 = System.nanoTime();
        double passes = 0, codegen = 0, load = 0;
        long bytes = 0;
        for (Graph g : c.module().graphs()) {
            long a = System.nanoTime();
            Graph opt = PassManager.standard().run(g);
            long b = System.nanoTime();
            CompiledClasses cls = JvmCompiler.generate(opt, "dlc.gen." + JvmCompiler.javaName(c.module().name() + "_" + g.name()));
            long d = System.nanoTime();
            cls.instantiate();
            long e = System.nanoTime();
            passes += (b - a) / 1e6;
            codegen += (d - b) / 1e6;
            load += (e - d) / 1e6;
            for (byte[] k : cls.classes().values()) bytes += k.length;
        }
        return new Times(c.module().graphs().size(), (t1 - t0) / 1e6, passes, codegen, load, bytes);
    }
}
