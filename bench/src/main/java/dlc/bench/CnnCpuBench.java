package dlc.bench;

import dlc.codegen.jvm.JvmCompiler;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CNN workload's training step and batch-64 inference (the same models, data and sessions as
 * {@link Workloads}), timed as the calling thread's CPU time per run: with one backend thread all
 * the work runs on it, and CPU time is far steadier than wall time on a shared, loaded machine
 * (a preempted step does not count the time it waited). Use it to compare two builds run
 * alternately; report wall time from {@link Workloads}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xms1g -Xmx4g -Ddlc.threads=1 -cp 'bench/target/classes:bench/target/lib/*' dlc.bench.CnnCpuBench
 * </pre>
 */
public final class CnnCpuBench {
    private CnnCpuBench() {}

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BenchModel m = BenchModel.load("cnn");
        Map<String, Object> state = m.initialState(42);
        int b = 64;
        StringBuilder line = new StringBuilder();
        for (boolean train : new boolean[]{true, false}) {
            Map<String, Object> store = new HashMap<>(state);
            store.put("x", Data.uniform(1100 + b, b * 784));
            store.put("y", train ? Data.labels(2100 + b, b, 10) : new double[b]);
            Session s = new Session(new JvmExecutor(JvmCompiler.load(train ? m.step() : m.inference())), store, Map.of("B", (long) b));
            int warm = train ? 60 : 150, reps = train ? 40 : 100;
            for (int i = 0; i < warm; i++) s.run();
            double[] ms = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = threads.getCurrentThreadCpuTime();
                s.run();
                ms[i] = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            line.append(String.format(java.util.Locale.ROOT, "cnn %s-b64 thread CPU ms: median %.2f p10 %.2f   ",
                    train ? "train" : "infer", ms[reps / 2], ms[reps / 10]));
        }
        System.out.println(line.toString().trim());
    }
}
