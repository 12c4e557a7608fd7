package dlc.bench;

import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.NarrowWeights;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.runtime.NarrowMatrix;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The peers' reference workloads (bench/run.sh's PEERS_DIR) on the JVM backend, timed like the peers.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xms1g -Xmx4g -cp ... dlc.bench.Workloads THREADS [mlp,cnn,lstm] [--check]
 * </pre>
 *
 * Output, one line each: {@code dlc-jvm WORKLOAD METRIC THREADS MEDIAN_MS} (the peers' format);
 * {@code # ...} details (steps/s, p10/p90, iterations); {@code % alloc ...} bytes per step after
 * warm-up; {@code ! ...} check results, {@code % check FAIL ...} for a workload whose check failed
 * (still timed; exit status 1). Every model is a .dl file under {@code bench/} compiled by
 * the frontend, then {@link JvmCompiler#load}; the timed step is {@code CompiledGraph.run(Object[],
 * long[])} on the same float[]/double[] arrays every iteration, UPDATE outputs fed back into the
 * param arrays (in place when donated). {@code -Dbench.backend=interp} runs the reference
 * interpreter instead (slow; to check the workloads before the backend exists).
 *
 * <p>Workloads (same data seeds as peers.Data): mlp train-b128, train-b32, infer-b1, infer-b128;
 * cnn train-b64, infer-b1, infer-b64; lstm train-b32 (T=50, F=32). Training is forward + loss +
 * backward + SGD(lr 0.01) in one compiled step graph; inference is the eval graph's logits.
 * {@code -Dbench.weightsDtype=bf16|int8} stores the MLP inference workloads' matmul weights narrow
 * (as {@code dlc compile --weights-dtype} does; metric names unchanged, so the table compares them
 * with the peers' float32 figures); their check then runs the interpreter on the rounded weights.
 */
public final class Workloads {
    static final String PEER = "dlc-jvm";
    private final int threads;
    private final boolean check;
    private final String backend = System.getProperty("bench.backend", "jvm");
    /** How the MLP inference workloads store their matmul weights: f32 (default), bf16 or int8 ({@code -Dbench.weightsDtype}). */
    private final String weightsDtype = System.getProperty("bench.weightsDtype", "f32");

    private Workloads(int threads, boolean check) {
        this.threads = threads;
        this.check = check;
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Workloads THREADS [mlp,cnn,lstm] [--check]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        List<String> workloads = Arrays.asList((args.length > 1 && !args[1].startsWith("--") ? args[1] : "mlp,cnn,lstm").split(","));
        boolean check = Arrays.asList(args).contains("--check");
        System.err.println("[dlc] " + Threads.set(threads) + ", vector module "
                + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "ABSENT (scalar kernels)")
                + ", java " + System.getProperty("java.version"));
        new Workloads(threads, check).run(workloads);
        System.exit(Checks.anyFailed ? 1 : 0); // also: worker pools may keep the JVM alive
    }

    private void run(List<String> workloads) {
        if (workloads.contains("mlp")) {
            BenchModel m = BenchModel.load("mlp");
            Map<String, Object> state = m.initialState(42);
            Executor step = compile(m.step());
            for (int b : new int[] {128, 32})
                train(m, step, state, "train-b" + b, b, Map.of("B", (long) b),
                        Data.uniform(1000 + b, b * 784), Data.labels(2000 + b, b, 10));
            // -Dbench.weightsDtype=bf16|int8: the matmul weights stored narrow (dlc compile --weights-dtype)
            Graph inference = m.inference();
            Map<String, String> narrow = NarrowWeights.select(inference, weightsDtype);
            Executor infer = narrow.isEmpty() ? compile(inference) : compileNarrow(inference, narrow);
            Map<String, Object> inferState = new HashMap<>(state);
            narrow.forEach((name, format) -> inferState.put(name, narrowMatrix(inference, name, format, (float[]) state.get(name))));
            for (int b : new int[] {1, 128})
                infer(m, infer, inferState, "infer-b" + b, b, Map.of("B", (long) b), Data.uniform(3000 + b, b * 784));
        }
        if (workloads.contains("cnn")) {
            BenchModel m = BenchModel.load("cnn");
            Map<String, Object> state = m.initialState(42);
            int b = 64;
            train(m, compile(m.step()), state, "train-b64", b, Map.of("B", (long) b),
                    Data.uniform(1100 + b, b * 784), Data.labels(2100 + b, b, 10));
            Executor infer = compile(m.inference());
            for (int bi : new int[] {1, 64})
                infer(m, infer, state, "infer-b" + bi, bi, Map.of("B", (long) bi), Data.uniform(3100 + bi, bi * 784));
        }
        if (workloads.contains("lstm")) {
            BenchModel m = BenchModel.load("lstm");
            Map<String, Object> state = m.initialState(42);
            int b = 32, t = 50, f = 32;
            train(m, compile(m.step()), state, "train-b32", b, Map.of("B", (long) b, "T", (long) t),
                    Data.normal(1200, b * t * f), Data.labels(2200, b, 10));
        }
    }

    private Executor compile(Graph g) {
        long t0 = System.nanoTime();
        Executor e = backend.equals("interp") ? new InterpreterExecutor(g) : new JvmExecutor(JvmCompiler.load(g));
        System.err.printf(Locale.ROOT, "[dlc] compiled %s (%s) in %.0f ms%n", g.name(), backend, (System.nanoTime() - t0) / 1e6);
        return e;
    }

    /** The JVM backend with {@code narrow}'s weights taken as NarrowMatrix (the interpreter backend has no narrow storage). */
    private Executor compileNarrow(Graph g, Map<String, String> narrow) {
        if (backend.equals("interp")) throw new IllegalArgumentException("-Dbench.weightsDtype needs the JVM backend");
        long t0 = System.nanoTime();
        Executor e = new JvmExecutor(JvmCompiler.compile(g, "dlc.gen." + JvmCompiler.javaName(g.name()), narrow).instantiate());
        System.err.printf(Locale.ROOT, "[dlc] compiled %s (%s, weights %s: %s) in %.0f ms%n", g.name(), backend, weightsDtype,
                String.join(", ", narrow.keySet()), (System.nanoTime() - t0) / 1e6);
        return e;
    }

    private static NarrowMatrix narrowMatrix(Graph g, String name, String format, float[] w) {
        Value v = g.inputs().stream().filter(x -> name.equals(x.name())).findFirst().orElseThrow();
        return NarrowMatrix.quantize(format, w, (int) v.type().shape().dim(0).value(), (int) v.type().shape().dim(1).value());
    }

    private void train(BenchModel m, Executor step, Map<String, Object> state, String metric, int b,
                       Map<String, Long> syms, float[] x, double[] y) {
        Map<String, Object> store = new HashMap<>(state);
        store.put("x", x);
        store.put("y", y);
        Session s = new Session(step, store, syms);
        if (check && !Checks.train(m, s, store, syms, metric)) failed(m.name, metric);
        report(m.name, metric, Timing.measure(m.name, metric, threads, s::run), s);
    }

    private void infer(BenchModel m, Executor eval, Map<String, Object> state, String metric, int b,
                       Map<String, Long> syms, float[] x) {
        Map<String, Object> store = new HashMap<>(state);
        store.put("x", x);
        store.put("y", new double[b]); // the label input of the eval graph; unused once the loss is dropped
        Session s = new Session(eval, store, syms);
        if (check && !Checks.infer(m, s, store, syms, metric)) failed(m.name, metric);
        report(m.name, metric, Timing.measure(m.name, metric, threads, s::run), s);
    }

    private void failed(String workload, String metric) {
        System.out.printf("%% check FAIL %s %s %s %d%n", PEER, workload, metric, threads);
    }

    private void report(String workload, String metric, Timing.Result r, Session s) {
        System.out.println(r.line(PEER));
        System.out.println("# " + r.detail(PEER));
        Allocation.Result a = Allocation.measure(s::run, Integer.getInteger("bench.allocSteps", 20),
                Double.parseDouble(System.getProperty("bench.allocSec", "1.0")));
        System.out.printf(Locale.ROOT, "%% alloc %s %s %s %d caller_bytes_per_step=%.0f all_threads_bytes_per_step=%.0f steps=%d"
                        + " update_copies=%d/%d%n", PEER, workload, metric, threads, a.callerBytesPerStep(),
                a.allThreadsBytesPerStep(), a.steps(), s.copies(), s.updateCount());
        System.out.flush();
    }

    /** A copy of every array in a store (so a check leaves the benchmark's state untouched). */
    static Map<String, Object> copy(Map<String, Object> store) {
        Map<String, Object> c = new LinkedHashMap<>();
        // a NarrowMatrix is immutable: shared
        store.forEach((k, v) -> c.put(k, v instanceof float[] f ? f.clone() : v instanceof NarrowMatrix q ? q : ((double[]) v).clone()));
        return c;
    }
}
