package dlc.bench;

import dlc.codegen.jvm.JvmCompiler;
import dlc.codegen.jvm.NarrowWeights;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.runtime.NarrowMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The peers' reference workloads (bench/run.sh's PEERS_DIR) on dlc's backends, timed like the peers.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xms1g -Xmx4g -cp ... dlc.bench.Workloads THREADS [WORKLOADS] [--check]
 * </pre>
 *
 * WORKLOADS is a comma list of models ({@code mlp}, {@code cnn}, {@code lstm}: each with its
 * default metrics, below) or single cases {@code MODEL:train-bN} / {@code MODEL:infer-bN} (any
 * batch N, e.g. {@code mlp:train-b1024,cnn:train-b256}); default {@code mlp,cnn,lstm}.
 *
 * <p>Backends: {@code -Dbench.backend=jvm} (default), {@code opencl} ({@link OpenClExecutor}, on
 * {@code -Dbench.device}), {@code interp} (the reference interpreter: slow; to check the workloads
 * themselves), or a comma list such as {@code jvm,opencl}: then every case runs on each backend in
 * turn (alternating, so a change in the machine's load hits both alike), each backend from its own
 * copy of the initial state, and a table of the backends side by side ends the output
 * ({@link BackendTable}: medians, p10 and their ratios to the first backend). An op a backend does
 * not run yet is reported as {@code % unsupported PEER WORKLOAD METRIC THREADS reason} and shows
 * in the table as "not supported yet"; anything else that fails is a failure.
 *
 * <p>Output, one line each: {@code dlc-BACKEND WORKLOAD METRIC THREADS MEDIAN_MS} (the peers'
 * format); {@code # ...} details (steps/s, p10/p90, iterations); {@code % alloc ...} bytes per step
 * after warm-up (JVM backend only: it is the one that promises no allocation; the OpenCL step
 * converts arrays to tensors by design); {@code ! ...} check results, {@code % check FAIL ...} for a
 * workload whose check failed (still timed; exit status 1). Every model is a .dl file under
 * {@code bench/} compiled by the frontend; the timed step runs on the same float[]/double[] arrays
 * every iteration, UPDATE outputs fed back into the param arrays (in place when donated). THREADS
 * sets the JVM backend's worker count; an OpenCL device uses what it has (PoCL: every core).
 *
 * <p>Default metrics (same data seeds as peers.Data): mlp train-b128, train-b32, infer-b1,
 * infer-b128; cnn train-b64, infer-b1, infer-b64; lstm train-b32 (T=50, F=32). Training is forward
 * + loss + backward + SGD(lr 0.01) in one compiled step graph; inference is the eval graph's
 * logits. {@code -Dbench.weightsDtype=bf16|int8} stores the MLP inference workloads' matmul weights
 * narrow on the JVM backend (as {@code dlc compile --weights-dtype} does; metric names unchanged,
 * so the table compares them with the peers' float32 figures); their check then runs the
 * interpreter on the rounded weights.
 */
public final class Workloads {
    static final String PEER = peer("jvm");
    private static final Map<String, List<String>> DEFAULT_METRICS = new LinkedHashMap<>();

    static {
        DEFAULT_METRICS.put("mlp", List.of("train-b128", "train-b32", "infer-b1", "infer-b128"));
        DEFAULT_METRICS.put("cnn", List.of("train-b64", "infer-b1", "infer-b64"));
        DEFAULT_METRICS.put("lstm", List.of("train-b32"));
    }

    /** The LSTM workload's sequence length and features per step (the peers'). */
    private static final int LSTM_T = 50, LSTM_F = 32;

    private final int threads;
    private final boolean check;
    private final List<String> backends;
    /** How the MLP inference workloads store their matmul weights: f32 (default), bf16 or int8 ({@code -Dbench.weightsDtype}). */
    private final String weightsDtype = System.getProperty("bench.weightsDtype", "f32");
    /** Per model and backend: the state it trains and the graphs it compiled (or why it could not). */
    private final Map<String, Run> runs = new HashMap<>();
    private final Map<String, BenchModel> models = new HashMap<>();
    /** Every result line printed, for the backend table. */
    private final List<String> printed = new ArrayList<>();

    /** One timed case: a model, training or inference, a batch size. */
    record Case(String model, boolean train, int batch) {
        String metric() { return (train ? "train-b" : "infer-b") + batch; }

        static Case parse(String model, String metric) {
            if (!DEFAULT_METRICS.containsKey(model))
                throw new IllegalArgumentException("unknown workload " + model + "; known: " + DEFAULT_METRICS.keySet());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(train|infer)-b([1-9][0-9]*)").matcher(metric);
            if (!m.matches()) throw new IllegalArgumentException("bad metric " + model + ":" + metric + "; expected train-bN or infer-bN");
            return new Case(model, m.group(1).equals("train"), Integer.parseInt(m.group(2)));
        }
    }

    /** A model on one backend: its own copy of the initial state (trained by its cases in turn) and its compiled graphs. */
    private record Run(Map<String, Object> state, Map<String, Object> compiled) {}

    private Workloads(int threads, boolean check, List<String> backends) {
        this.threads = threads;
        this.check = check;
        this.backends = backends;
    }

    static String peer(String backend) { return "dlc-" + backend; }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Workloads THREADS [mlp,cnn,lstm | MODEL:train-bN,MODEL:infer-bN,...] [--check]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        List<Case> cases = cases(args.length > 1 && !args[1].startsWith("--") ? args[1] : "mlp,cnn,lstm");
        boolean check = Arrays.asList(args).contains("--check");
        List<String> backends = Arrays.asList(System.getProperty("bench.backend", "jvm").split(","));
        for (String b : backends)
            if (!List.of("jvm", "opencl", "interp").contains(b))
                throw new IllegalArgumentException("unknown -Dbench.backend " + b + "; known: jvm, opencl, interp (or a comma list)");
        System.err.println("[dlc] " + Threads.set(threads) + ", vector module "
                + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "ABSENT (scalar kernels)")
                + ", java " + System.getProperty("java.version") + ", backends " + backends);
        Workloads w = new Workloads(threads, check, backends);
        for (Case c : cases)
            for (String b : backends) w.run(c, b);
        if (backends.size() > 1) {
            System.out.println();
            System.out.print(BackendTable.render(w.printed, backends.stream().map(Workloads::peer).toList()));
        }
        System.exit(Checks.anyFailed ? 1 : 0); // also: worker pools may keep the JVM alive
    }

    static List<Case> cases(String spec) {
        List<Case> cases = new ArrayList<>();
        for (String token : spec.split(",")) {
            String t = token.trim();
            int colon = t.indexOf(':');
            if (colon < 0) {
                if (!DEFAULT_METRICS.containsKey(t)) throw new IllegalArgumentException("unknown workload " + t + "; known: " + DEFAULT_METRICS.keySet());
                for (String metric : DEFAULT_METRICS.get(t)) cases.add(Case.parse(t, metric));
            } else cases.add(Case.parse(t.substring(0, colon), t.substring(colon + 1)));
        }
        return cases;
    }

    private BenchModel model(String name) { return models.computeIfAbsent(name, BenchModel::load); }

    private Run run(BenchModel m, String backend) {
        // compiled: graph kind -> Executor, or the reason the backend does not support it yet
        return runs.computeIfAbsent(m.name + " " + backend, k -> new Run(m.initialState(42), new HashMap<>()));
    }

    /**
     * The inference cases' state: the trained params (the same arrays), with the MLP's matmul
     * weights stored narrow as they are now under -Dbench.weightsDtype=bf16|int8 (dlc compile --weights-dtype).
     */
    private Map<String, Object> inferState(BenchModel m, Run r, String backend) {
        Map<String, Object> st = new HashMap<>(r.state());
        if (m.name.equals("mlp")) {
            Graph inference = m.inference();
            narrow(inference, backend).forEach((name, format) -> st.put(name, narrowMatrix(inference, name, format, (float[]) r.state().get(name))));
        }
        return st;
    }

    private Map<String, String> narrow(Graph inference, String backend) {
        Map<String, String> narrow = NarrowWeights.select(inference, weightsDtype);
        if (!narrow.isEmpty() && !backend.equals("jvm"))
            throw new IllegalArgumentException("-Dbench.weightsDtype=" + weightsDtype + " needs the JVM backend, not " + backend);
        return narrow;
    }

    private void run(Case c, String backend) {
        BenchModel m = model(c.model());
        Run r = run(m, backend);
        Object e = r.compiled().computeIfAbsent(c.train() ? "step" : "infer", kind -> {
            Graph g = c.train() ? m.step() : m.inference();
            try {
                if (!c.train() && m.name.equals("mlp")) {
                    Map<String, String> narrow = narrow(g, backend);
                    if (!narrow.isEmpty()) return compileNarrow(g, narrow);
                }
                return compile(g, backend);
            } catch (UnsupportedOperationException ex) {
                return ex.getMessage() == null ? ex.toString() : ex.getMessage();
            }
        });
        if (e instanceof String reason) {
            emit(String.format(Locale.ROOT, "%% unsupported %s %s %s %d %s", peer(backend), m.name, c.metric(), threads, reason.replace('\n', ' ')));
            return;
        }
        Executor exec = (Executor) e;
        Map<String, Long> syms = m.name.equals("lstm") ? Map.of("B", (long) c.batch(), "T", (long) LSTM_T) : Map.of("B", (long) c.batch());
        if (c.train()) train(m, exec, r.state(), c, backend, syms);
        else infer(m, exec, inferState(m, r, backend), c, backend, syms);
    }

    private Executor compile(Graph g, String backend) {
        long t0 = System.nanoTime();
        Executor e = switch (backend) {
            case "interp" -> new InterpreterExecutor(g);
            case "opencl" -> new OpenClExecutor(g);
            default -> new JvmExecutor(JvmCompiler.load(g));
        };
        System.err.printf(Locale.ROOT, "[dlc] compiled %s (%s) in %.0f ms%n", g.name(), backend, (System.nanoTime() - t0) / 1e6);
        return e;
    }

    /** The JVM backend with {@code narrow}'s weights taken as NarrowMatrix. */
    private Executor compileNarrow(Graph g, Map<String, String> narrow) {
        long t0 = System.nanoTime();
        Executor e = new JvmExecutor(JvmCompiler.compile(g, "dlc.gen." + JvmCompiler.javaName(g.name()), narrow).instantiate());
        System.err.printf(Locale.ROOT, "[dlc] compiled %s (jvm, weights %s: %s) in %.0f ms%n", g.name(), weightsDtype,
                String.join(", ", narrow.keySet()), (System.nanoTime() - t0) / 1e6);
        return e;
    }

    private static NarrowMatrix narrowMatrix(Graph g, String name, String format, float[] w) {
        Value v = g.inputs().stream().filter(x -> name.equals(x.name())).findFirst().orElseThrow();
        return NarrowMatrix.quantize(format, w, (int) v.type().shape().dim(0).value(), (int) v.type().shape().dim(1).value());
    }

    /** A case's input batch: the peers' data seeds (peers.Data) for the default cases. */
    private static float[] inputs(String model, boolean train, int b) {
        return switch (model) {
            case "mlp" -> Data.uniform((train ? 1000 : 3000) + b, b * 784);
            case "cnn" -> Data.uniform((train ? 1100 : 3100) + b, b * 784);
            default -> Data.normal(train ? 1200 : 3200, b * LSTM_T * LSTM_F);
        };
    }

    private static double[] labels(String model, int b) {
        return switch (model) {
            case "mlp" -> Data.labels(2000 + b, b, 10);
            case "cnn" -> Data.labels(2100 + b, b, 10);
            default -> Data.labels(2200, b, 10);
        };
    }

    private void train(BenchModel m, Executor step, Map<String, Object> state, Case c, String backend, Map<String, Long> syms) {
        Map<String, Object> store = new HashMap<>(state);
        store.put("x", inputs(m.name, true, c.batch()));
        store.put("y", labels(m.name, c.batch()));
        Session s = new Session(step, store, syms);
        if (check && !Checks.train(m, s, store, syms, c.metric(), backend)) failed(backend, m.name, c.metric());
        Timing.Step run = s::run;
        report(backend, m.name, c.metric(), Timing.measure(m.name, c.metric(), threads, run), run, s);
        s.sync(); // the trained state, for the next cases (the OpenCL backend kept it on the device)
    }

    private void infer(BenchModel m, Executor eval, Map<String, Object> state, Case c, String backend, Map<String, Long> syms) {
        Map<String, Object> store = new HashMap<>(state);
        store.put("x", inputs(m.name, false, c.batch()));
        store.put("y", new double[c.batch()]); // the label input of the eval graph; unused once the loss is dropped
        Session s = new Session(eval, store, syms);
        if (check && !Checks.infer(m, s, store, syms, c.metric(), backend)) failed(backend, m.name, c.metric());
        // as a Model runs its weights (and ONNX Runtime its initializers): packed once, not at every call
        dlc.runtime.InvariantWeights weights = new dlc.runtime.InvariantWeights(state.values().toArray());
        Timing.Step step = () -> {
            weights.begin();
            try {
                s.run();
            } finally {
                weights.end();
            }
        };
        report(backend, m.name, c.metric(), Timing.measure(m.name, c.metric(), threads, step), step, s);
    }

    private void failed(String backend, String workload, String metric) {
        emit(String.format(Locale.ROOT, "%% check FAIL %s %s %s %d", peer(backend), workload, metric, threads));
    }

    private void report(String backend, String workload, String metric, Timing.Result r, Timing.Step step, Session s) {
        String peer = peer(backend);
        emit(r.line(peer));
        emit("# " + r.detail(peer));
        if (backend.equals("jvm")) {
            Allocation.Result a = Allocation.measure(step, Integer.getInteger("bench.allocSteps", 20),
                    Double.parseDouble(System.getProperty("bench.allocSec", "1.0")));
            emit(String.format(Locale.ROOT, "%% alloc %s %s %s %d caller_bytes_per_step=%.0f all_threads_bytes_per_step=%.0f steps=%d"
                            + " update_copies=%d/%d", peer, workload, metric, threads, a.callerBytesPerStep(),
                    a.allThreadsBytesPerStep(), a.steps(), s.copies(), s.updateCount()));
        }
    }

    private void emit(String line) {
        printed.add(line);
        System.out.println(line);
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
