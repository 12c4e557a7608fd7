package dlc.cli.fuzz;

import dlc.cli.Main;
import dlc.codegen.jvm.JvmCompiler;
import dlc.ir.Graph;
import dlc.ir.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded mutation fuzzer over whole programs: the examples, the stdlib's modules and a user
 * module imported by a main file are mutated ({@link ProgramMutator}) and run as {@code dlc run}
 * runs them (lowering, the standard passes and the JVM backend, at B = 2 and other dims 8; some with B = 0 or 1,
 * T = 0 or 1, or on the interpreter);
 * the train graph of an accepted model is compiled by the JVM backend too. Every outcome must be
 * an accepted program or a diagnostic: exit 70 (an internal error), a stack overflow, running out
 * of memory, a crash while compiling the train graph or a program that takes longer than
 * {@link #TIMEOUT_S} seconds fails the test, with each distinct failure minimized
 * ({@link DeltaMinimizer}).
 *
 * <p>CI runs {@code dlc.fuzz.programs} programs (default {@value #CI_PROGRAMS}) from seed
 * {@code dlc.fuzz.seed}; a longer search: {@code mvn -o -B test -pl cli -am -Dtest=MutationFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Ddlc.fuzz.programs=50000 -Ddlc.fuzz.seed=7}.
 */
class MutationFuzzTest {
    static final int CI_PROGRAMS = 3000;
    static final long TIMEOUT_S = 60;
    /** A search stops after this many distinct failures (each is then minimized). */
    static final int MAX_DISTINCT = 12;

    @TempDir Path dir;

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Path STD = Path.of("..", "stdlib", "src", "main", "resources", "std").toAbsolutePath().normalize();

    /** A user module and a main file that imports it both ways (braced names and the module). */
    static final String HELPERS = """
            import std.nn.{dense}
            const WIDTH = 4
            def act(x) { relu(x) * 2.0 - 0.5 }
            def block(x: f32[..., I], units: int = WIDTH) -> f32[..., units] {
              param s: f32[units] = ones()
              act(dense(x, units)) * s
            }
            """;
    static final String USER_MAIN = """
            import helpers.{block, WIDTH}
            import helpers
            model M(hidden: int = 8) {
              input x: f32[B, 3]
              h = block(x, hidden)
              output y = helpers.act(block(h, WIDTH))
              loss mean(y * y)
            }
            """;

    /** One program to run: the main file, a user module beside it (or none), replaced std modules; which part is mutated. */
    record Scenario(String main, String helpers, Map<String, String> std, String mutated, List<String> flags) {
        Scenario with(String text) {
            if (mutated.equals("main.dl")) return new Scenario(text, helpers, std, mutated, flags);
            if (mutated.equals("helpers.dl")) return new Scenario(main, text, std, mutated, flags);
            Map<String, String> s = new HashMap<>(std);
            s.put(mutated, text);
            return new Scenario(main, helpers, s, mutated, flags);
        }

        String mutatedText() {
            return mutated.equals("main.dl") ? main : mutated.equals("helpers.dl") ? helpers : std.get(mutated);
        }
    }

    /** Mostly the defaults (B = 2, other dims 8); sometimes empty or single batches and sequences, or the interpreter. */
    private static List<String> flags(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> List.of("--batch", "0");
            case 1 -> List.of("--batch", "1");
            case 2 -> List.of("--dim", "T=1");
            case 3 -> List.of("--dim", "T=0");
            case 4 -> List.of("--backend", "interp");
            default -> List.of();
        };
    }

    /** What one run gave: null when fine, else a one-line failure signature and its detail. */
    record Failure(String signature, String detail) {}

    private final Map<String, Integer> counts = new TreeMap<>();
    /** One command line for every run (building picocli's model is slow); stderr is cleared before each. */
    private final FuzzToolchain tools = new FuzzToolchain();
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private final picocli.CommandLine cl = Main.commandLine(tools);

    {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
    }

    @Test
    void mutatedProgramsGiveResultsOrDiagnosticsNeverInternalErrors() throws Exception {
        int programs = Integer.getInteger("dlc.fuzz.programs", CI_PROGRAMS);
        long seed = Long.getLong("dlc.fuzz.seed", 20261206L);
        Map<String, String> examples = read(EXAMPLES), std = read(STD);
        List<String> exampleNames = new ArrayList<>(examples.keySet());
        List<String> stdNames = new ArrayList<>(std.keySet());
        Map<String, Failure> found = new LinkedHashMap<>();
        Map<String, Scenario> foundAt = new LinkedHashMap<>();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz", 256L << 20); // a deep stack, as a main thread's
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        try {
            for (int i = 0; i < programs && found.size() < MAX_DISTINCT; i++) {
                Random r = new Random(seed * 1_000_003L + i);
                Scenario base = switch (r.nextInt(4)) {
                    case 0, 1 -> {
                        String name = exampleNames.get(r.nextInt(exampleNames.size()));
                        yield new Scenario(examples.get(name), null, Map.of(), "main.dl", flags(r));
                    }
                    case 2 -> {
                        String module = stdNames.get(r.nextInt(stdNames.size()));
                        String stem = module.substring(module.indexOf('/') + 1, module.length() - 3);
                        List<String> users = exampleNames.stream()
                                .filter(n -> stem.equals("prelude") || examples.get(n).contains("std." + stem)).toList();
                        String main = examples.get(users.isEmpty() ? exampleNames.get(0) : users.get(r.nextInt(users.size())));
                        yield new Scenario(main, null, Map.of(module, std.get(module)), module, flags(r));
                    }
                    default -> new Scenario(USER_MAIN, HELPERS, Map.of(), r.nextInt(3) == 0 ? "main.dl" : "helpers.dl", flags(r));
                };
                Scenario s = base.with(ProgramMutator.mutate(base.mutatedText(), r));
                Failure f = runBounded(worker, s);
                if (f != null && !found.containsKey(f.signature())) {
                    found.put(f.signature(), f);
                    foundAt.put(f.signature(), s);
                    // at once, for a long search: the program as mutated, before minimizing
                    System.out.println("mutation fuzz: program " + i + " (" + s.mutated() + ", flags " + s.flags() + "): " + f.signature() + "\n" + s.mutatedText());
                }
                counts.merge("programs", 1, Integer::sum);
                if ((i + 1) % 1000 == 0) System.out.printf("mutation fuzz: %s after %.0f s%n", counts, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            System.out.printf("mutation fuzz: %s in %.1f s (seed %d)%n", counts, (System.nanoTime() - start) / 1e9, seed);
        }
        if (found.isEmpty()) {
            worker.shutdownNow();
            return;
        }
        StringBuilder report = new StringBuilder(found.size() + " distinct internal errors (seed " + seed + "):\n");
        for (var e : found.entrySet()) {
            Scenario s = foundAt.get(e.getKey());
            String small = DeltaMinimizer.minimize(s.mutatedText(), text -> {
                Failure again = runBounded(worker, s.with(text));
                return again != null && again.signature().equals(e.getKey());
            }, Integer.getInteger("dlc.fuzz.minimize", 300));
            report.append("\n== ").append(e.getKey()).append("\nin ").append(s.mutated()).append(" with flags ").append(s.flags()).append(", minimized:\n").append(small)
                    .append("detail: ").append(e.getValue().detail()).append('\n');
        }
        worker.shutdownNow();
        fail(report.toString());
    }

    private Failure runBounded(ExecutorService worker, Scenario s) {
        Future<Failure> f = worker.submit(() -> runOnce(s));
        try {
            return f.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Failure("timeout after " + TIMEOUT_S + " s", "the program did not finish");
        } catch (InterruptedException | ExecutionException e) {
            return new Failure("fuzzer: " + e.getCause(), String.valueOf(e));
        }
    }

    private Failure runOnce(Scenario s) throws IOException {
        Path main = dir.resolve("main.dl"), helpers = dir.resolve("helpers.dl");
        Files.writeString(main, s.main());
        if (s.helpers() != null) Files.writeString(helpers, s.helpers());
        else Files.deleteIfExists(helpers);
        tools.stdOverrides = s.std();
        tools.last = null;
        err.getBuffer().setLength(0);
        out.getBuffer().setLength(0);
        int code;
        try {
            List<String> args = new ArrayList<>(List.of("run", main.toString(), "--seed", "1"));
            args.addAll(s.flags());
            if (!s.flags().contains("--backend")) args.addAll(List.of("--backend", "jvm"));
            code = cl.execute(args.toArray(String[]::new));
        } catch (RuntimeException | Error e) {
            return new Failure("escaped the CLI: " + e, stackTop(e));
        }
        String text = err.toString();
        String firstLine = text.lines().findFirst().orElse("");
        if (code == 70) return new Failure(signature(firstLine), text);
        if (text.contains("dlc: stack overflow") || text.contains("dlc: out of memory")) return new Failure(signature(firstLine), text);
        if (code != 0) {
            counts.merge(text.contains("fuzz: the model's tensors are too large") ? "too large to run" : "diagnostics (exit " + code + ")", 1, Integer::sum);
            return null;
        }
        counts.merge("accepted and ran", 1, Integer::sum);
        Graph train = tools.last == null || tools.last.module() == null ? null : tools.last.module().graph("train").orElse(null);
        if (train == null) return null;
        try {
            JvmCompiler.compile(train, "dlc.gen.fuzz.Train");
            counts.merge("train graph compiled", 1, Integer::sum);
        } catch (ShapeException | UnsupportedOperationException | IllegalStateException | IllegalArgumentException refused) {
            // as dlc train reports them: one line, exit 1
            counts.merge("train graph refused", 1, Integer::sum);
        } catch (RuntimeException | StackOverflowError e) {
            return new Failure("compiling the train graph: " + e.getClass().getName(), e + "\n" + stackTop(e));
        }
        return null;
    }

    /** "dlc: internal error: java.lang.NullPointerException: Cannot ..." -> the exception class and the message's start. */
    private static String signature(String line) {
        String s = line.replaceAll("\\(run with --debug.*", "").replaceAll("\\d+", "N");
        return s.length() > 140 ? s.substring(0, 140) : s;
    }

    private static String stackTop(Throwable e) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(8, st.length); i++) sb.append("  at ").append(st[i]).append('\n');
        return sb.toString();
    }

    /** The .dl files of a directory by their name relative to the std resources ("std/nn.dl") or their file name. */
    private static Map<String, String> read(Path folder) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(p -> p.toString().endsWith(".dl")).sorted().forEach(p -> {
                try {
                    String key = folder.equals(STD) ? "std/" + p.getFileName() : p.getFileName().toString();
                    out.put(key, Files.readString(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return out;
    }
}
