package dlc.bench;

import java.util.Locale;
import java.util.Map;

/**
 * What {@code --check} verifies before a workload is timed (on copies of its arrays, so the timed
 * run starts from the same state): the compiled graph (JVM or OpenCL backend) agrees with the
 * float64 reference interpreter on one run, and (training) the loss falls over 30 SGD steps, as the peers check.
 * A failed check prints "! FAIL"; the workload is still timed but marked (Table shows it as a
 * failed check, not a result) and Workloads exits with status 1 at the end.
 *
 * <p>Tolerances: float32 against float64. The loss (a batch mean of log-sum-exp terms) and the
 * logits (dot products of up to 3136 terms) carry relative rounding of order 1e-6..1e-5, so 1e-4
 * of the largest magnitude passes any correct kernel; the parameter updates are lr * gradient, whose
 * float32 sums over the batch (and 50 LSTM steps) reach ~1e-4 relative, so 1e-3 of the largest
 * update. A wrong gradient is off by O(1) and fails both; NaN fails every comparison.
 */
final class Checks {
    private Checks() {}

    /** Whether any check failed in this JVM. */
    static boolean anyFailed;

    /** Returns whether every check passed. */
    static boolean train(BenchModel m, Session timed, Map<String, Object> store, Map<String, Long> syms, String metric, String backend) {
        String what = backend + " " + m.name + " " + metric;
        boolean ok = true;
        if (!(timed.exec instanceof InterpreterExecutor)) {
            Map<String, Object> a = Workloads.copy(store), b = Workloads.copy(store);
            Session jvm = new Session(timed.exec, a, syms);
            Session ref = new Session(new InterpreterExecutor(m.step()), b, syms);
            double lj = jvm.loss(jvm.run()), lr = ref.loss(ref.run());
            jvm.sync(); // the OpenCL backend keeps the updated params on the device
            double lossErr = Math.abs(lj - lr) / Math.max(1e-30, Math.abs(lr));
            // worst relative error of the parameter updates (new - old), over every f32 param
            double worst = 0;
            String worstName = "";
            for (Map.Entry<String, Object> e : store.entrySet()) {
                if (!(e.getValue() instanceof float[] old) || e.getKey().equals("x")) continue;
                float[] nj = (float[]) a.get(e.getKey()), nr = (float[]) b.get(e.getKey());
                double maxRef = 0, maxDiff = 0;
                for (int i = 0; i < old.length; i++) {
                    double dr = nr[i] - old[i], dj = nj[i] - old[i];
                    maxRef = Math.max(maxRef, Math.abs(dr));
                    double diff = Math.abs(dj - dr);
                    maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
                }
                double rel = maxRef == 0 ? (maxDiff == 0 ? 0 : Double.POSITIVE_INFINITY) : maxDiff / maxRef;
                if (!(rel <= worst)) { worst = rel; worstName = e.getKey(); }
            }
            ok = line(lossErr <= 1e-4 && worst <= 1e-3, String.format(Locale.ROOT, "%s: compiled vs interpreter, loss %.6f vs %.6f (rel %.1e), worst update rel err %.1e (%s)",
                    what, lj, lr, lossErr, worst, worstName));
        }
        Map<String, Object> c = Workloads.copy(store);
        Session s = new Session(timed.exec, c, syms);
        double before = s.loss(s.run());
        double after = before;
        for (int i = 0; i < 30; i++) after = s.loss(s.run());
        return line(after < before, String.format(Locale.ROOT, "%s: loss %.4f -> %.4f over 30 SGD steps", what, before, after)) && ok;
    }

    /** Returns whether the check passed (true when there is nothing to compare: the interpreter backend). */
    static boolean infer(BenchModel m, Session timed, Map<String, Object> store, Map<String, Long> syms, String metric, String backend) {
        if (timed.exec instanceof InterpreterExecutor) return true;
        Map<String, Object> refStore = Workloads.copy(store);
        // weights stored narrow: the interpreter runs the float32 values they stand for
        refStore.replaceAll((k, v) -> v instanceof dlc.runtime.NarrowMatrix q ? q.decode() : v);
        Session ref = new Session(new InterpreterExecutor(m.inference()), refStore, syms);
        float[] lj = ((float[]) timed.output(timed.run())).clone();
        float[] lr = (float[]) ref.output(ref.run());
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < lr.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(lr[i]));
            double d = Math.abs(lj[i] - lr[i]);
            maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
        }
        double rel = maxDiff / Math.max(1e-30, maxRef);
        return line(rel <= 1e-4, String.format(Locale.ROOT, "%s %s %s: compiled vs interpreter logits, max err %.1e of max |logit| %.3f (rel %.1e)",
                backend, m.name, metric, maxDiff, maxRef, rel));
    }

    private static boolean line(boolean ok, String text) {
        System.out.println("! " + (ok ? "ok " : "FAIL ") + text);
        System.out.flush();
        if (!ok) anyFailed = true;
        return ok;
    }
}
