package dlc.train;

import dlc.frontend.train.TrainPlan;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A float64 finite-difference check of a model's loss gradient with respect to every parameter:
 * reverse-mode gradients (from {@link Autodiff}) against central differences with step
 * {@value #H}, along one random direction per parameter (JAX style) and along a few random
 * coordinates. The interpreter computes every dtype in float64, so the differences are float64.
 *
 * <p>Error of one check: {@code |analytic - numeric| / max(|analytic|, |numeric|, floor)} with
 * {@code floor = FLOOR * (1 + |L|)}. A parameter passes when its worst error is at most
 * {@value #TOLERANCE}. Why these numbers: the truncation error of a central difference at h = 1e-6
 * is about h^2 = 1e-12 (relative), far below the tolerance; its rounding noise is a few ulps of the
 * loss over 2h, about {@code 1e-10 |L|} absolute (seen on the examples: 2.2e-10 for a transformer's
 * key bias, whose true gradient is exactly 0 because softmax ignores it). Derivatives smaller than
 * the floor are therefore compared absolutely, with an allowance of
 * {@code TOLERANCE * FLOOR * (1 + |L|) = 1e-9 (1 + |L|)}, about ten times that noise. A wrong VJP
 * (a factor, a sign, a missing term) gives errors of order 1.
 */
public final class GradCheck {
    /** The finite-difference step. */
    public static final double H = 1e-6;
    /** The largest relative error that passes. */
    public static final double TOLERANCE = 1e-4;
    /** Derivatives below {@code FLOOR * (1 + |L|)} are compared absolutely (see the class comment). */
    public static final double FLOOR = 1e-5;
    /** Coordinates checked per parameter besides the random direction. */
    public static final int COORDINATES = 3;

    /** The worst error found for one parameter over its checks. */
    public record ParamResult(String loss, String param, double worstError, int checks, double analytic, double numeric) {
        public boolean passed() { return worstError <= TOLERANCE; }
    }

    /** The check of every parameter. */
    public record Report(Map<String, Double> losses, List<ParamResult> params) {
        public boolean passed() { return params.stream().allMatch(ParamResult::passed); }

        /** The value of the first checked loss. */
        public double loss() { return losses.values().iterator().next(); }

        /** This report followed by {@code other}'s checks. */
        public Report and(Report other) {
            Map<String, Double> l = new java.util.LinkedHashMap<>(losses);
            l.putAll(other.losses);
            List<ParamResult> p = new ArrayList<>(params);
            p.addAll(other.params);
            return new Report(l, p);
        }

        /** One line per parameter and a verdict naming the tolerance. */
        public String render() {
            StringBuilder sb = new StringBuilder();
            int w = params.stream().mapToInt(p -> p.param().length()).max().orElse(5);
            String loss = null;
            for (ParamResult p : params) {
                if (losses.size() > 1 && !p.loss().equals(loss)) sb.append("loss ").append(loss = p.loss()).append(":\n");
                sb.append(String.format("  %-" + w + "s  worst relative error %.2e over %d checks  %s%n", p.param(), p.worstError(), p.checks(),
                        p.passed() ? "ok" : String.format("FAIL (analytic %.6e, numeric %.6e)", p.analytic(), p.numeric())));
            }
            sb.append(passed() ? "gradcheck passed" : "gradcheck FAILED")
                    .append(String.format(" (tolerance %.0e, central differences with h = %.0e, float64)%n", TOLERANCE, H));
            return sb.toString();
        }
    }

    private final Autodiff autodiff;
    private final Executor executor;

    /** A checker using {@code autodiff}'s rules (a test may plant a wrong one) and {@code executor}. */
    public GradCheck(Autodiff autodiff, Executor executor) {
        this.autodiff = autodiff;
        this.executor = executor;
    }

    /**
     * Checks the gradient of the scalar output {@code loss} of {@code graph} with respect to every
     * PARAM input, at the values in {@code inputs} (model inputs, parameters, state, key).
     */
    public Report check(Graph graph, String loss, Map<String, Tensor> inputs, long seed) {
        return check(graph, loss, graph.inputs(Value.Role.PARAM).stream().map(Value::name).toList(), inputs, seed);
    }

    /**
     * Checks the gradient of {@code loss} with respect to the parameters {@code params}. Values that
     * pass through {@code stop_gradient} are held at their unperturbed values in the finite
     * differences ({@link FrozenStopGradients}), as autodiff treats them as constants.
     */
    public Report check(Graph graph, String loss, List<String> params, Map<String, Tensor> inputs, long seed) {
        if (params.isEmpty()) throw new TrainException("no parameters to check for loss '" + loss + "'");
        Map<String, Tensor> in = new HashMap<>(inputs);
        for (String p : params)
            if (in.get(p) == null) throw new IllegalArgumentException("no value for parameter '" + p + "'");
        // The gradient graph outputs the model's outputs and, under each parameter's name, its gradient.
        Map<String, Tensor> out = executor.run(autodiff.gradients(graph, loss, params), in);
        double l0 = out.get(loss).item();
        double floor = FLOOR * (1 + Math.abs(l0));
        FrozenStopGradients fsg = FrozenStopGradients.of(graph);
        Graph fd = graph;
        if (!fsg.names().isEmpty()) {
            Map<String, Tensor> probed = executor.run(fsg.probe(), in);
            for (String n : fsg.names()) in.put(n, probed.get(n));
            fd = fsg.frozen();
        }
        double lFd = executor.run(fd, in).get(loss).item();
        Random rnd = new Random(seed);
        List<ParamResult> results = new ArrayList<>();
        for (String p : params) {
            Tensor value = in.get(p);
            double[] g = out.get(p).data();
            int n = value.size();
            double[] worst = {-1, 0, 0}; // error, analytic, numeric of the worst check
            int checks = 0;
            // a probe is judged only where the loss is smooth along it (see smoothProbe)
            double[] dir = null, fdDir = null;
            for (int attempt = 0; attempt < PROBE_ATTEMPTS && fdDir == null; attempt++) {
                dir = new double[n];
                for (int i = 0; i < n; i++) dir[i] = rnd.nextGaussian();
                fdDir = smoothProbe(fd, loss, in, p, dir, lFd, floor);
            }
            record(worst, dot(g, dir), fdDir != null ? fdDir[0] : numeric(fd, loss, in, p, dir), floor);
            checks++;
            for (int c = 0; c < Math.min(COORDINATES, n); c++) {
                int k = 0;
                double[] e = null, fdE = null;
                for (int attempt = 0; attempt < PROBE_ATTEMPTS && fdE == null; attempt++) {
                    e = new double[n];
                    k = rnd.nextInt(n);
                    e[k] = 1;
                    fdE = smoothProbe(fd, loss, in, p, e, lFd, floor);
                }
                record(worst, g[k], fdE != null ? fdE[0] : numeric(fd, loss, in, p, e), floor);
                checks++;
            }
            results.add(new ParamResult(loss, p, worst[0], checks, worst[1], worst[2]));
        }
        return new Report(Map.of(loss, l0), results);
    }

    /** Samples in the batch {@link #checkModel} checks on. */
    public static final int BATCH = 4;

    /**
     * Checks a compiled model: the loss of its {@code train} graph (else {@code eval}) at freshly
     * initialized parameters ({@code init} with a key from {@code seed}) on a small batch: the first
     * {@value #BATCH} samples of {@code data}, or, without data, random inputs (floats standard normal,
     * integers uniform in {0, 1}, so class labels stay valid for any class count of at least 2).
     */
    public Report checkModel(dlc.ir.Module module, dlc.data.Dataset data, long seed) {
        return checkModel(module, data, seed, List.of());
    }

    /**
     * As {@link #checkModel(dlc.ir.Module, dlc.data.Dataset, long)}, checking each step's loss with
     * respect to the parameters that step trains (a GAN: d_loss w.r.t. the discriminator, g_loss
     * w.r.t. the generator); no steps: the model's first loss w.r.t. every parameter.
     */
    public Report checkModel(dlc.ir.Module module, dlc.data.Dataset data, long seed, List<TrainPlan.Step> steps) {
        Graph graph = module.graph("train").or(() -> module.graph("eval"))
                .orElseThrow(() -> new TrainException("model " + module.name() + " has neither a train nor an eval graph"));
        String loss = graph.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).map(Graph.Output::name).findFirst()
                .orElseThrow(() -> new TrainException("model " + module.name() + " has no loss to check"));
        Graph init = Trainer.graph(module, "init");
        Map<String, Tensor> in = new HashMap<>(executor.run(init, Map.of(Trainer.RNG, Trainer.key(dlc.numerics.Rng.fold(Trainer.seedKey(seed), 1)))));
        in.put(Trainer.RNG, Trainer.key(dlc.numerics.Rng.fold(Trainer.seedKey(seed), 4)));
        if (data != null) {
            in.putAll(InputBinding.of(graph, data).feed(data.slice(0, Math.min(BATCH, data.size()))));
        } else {
            Random rnd = new Random(seed);
            for (Value v : InputBinding.modelInputs(graph)) in.put(v.name(), randomInput(v, rnd));
        }
        List<String> all = graph.inputs(Value.Role.PARAM).stream().map(Value::name).toList();
        // A step that reports no loss (a rule-only step: RBM CD-k, Hebbian) has no gradient to check.
        List<TrainPlan.Step> withLoss = steps.stream().filter(s -> s.loss() != null).toList();
        if (withLoss.isEmpty()) return check(graph, loss, all, in, seed);
        Report r = null;
        for (TrainPlan.Step s : withLoss) {
            if (graph.output(s.loss()).isEmpty())
                throw new TrainException("step " + s.graph() + " minimizes '" + s.loss() + "', which is not a loss of model " + module.name());
            Report one = check(graph, s.loss(), all.stream().filter(s::trains).toList(), in, seed);
            r = r == null ? one : r.and(one);
        }
        return r;
    }

    private static Tensor randomInput(Value v, Random rnd) {
        java.util.Map<String, Long> dims = new HashMap<>();
        for (String s : v.type().shape().symbols()) dims.put(s, (long) BATCH);
        int[] shape = v.type().shape().eval(dims);
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = v.type().dtype().isFloating() ? rnd.nextGaussian() : rnd.nextInt(2);
        return new Tensor(v.type().dtype(), shape, d);
    }

    /** How many directions (or coordinates) a check draws before judging a non-smooth one anyway. */
    public static final int PROBE_ATTEMPTS = 8;

    /**
     * The central difference along {@code dir}, or null when the loss is not smooth within +-h
     * along it: a relu kink (or max tie) inside the step makes the forward and backward one-sided
     * differences disagree by the jump in slope, while at a smooth point they agree to O(h |L''|).
     * A central difference across a kink measures neither side's derivative, so it is no reference;
     * a wrong rule still fails at the smooth points the check keeps. Steps h, h/10 and h/100 are
     * tried in turn before the direction is given up.
     */
    private double[] smoothProbe(Graph graph, String loss, Map<String, Tensor> in, String p, double[] dir, double l0, double floor) {
        // kinks crossed scale with the step, so a kinked probe is retried with smaller steps; in
        // float64 the rounding error at h = 1e-8 is still ~1e-8 relative, far below TOLERANCE
        for (double h = H; h >= H / 100; h /= 10) {
            double plus = lossAt(graph, loss, in, p, dir, h), minus = lossAt(graph, loss, in, p, dir, -h);
            double forward = (plus - l0) / h, backward = (l0 - minus) / h;
            if (error(forward, backward, floor) <= TOLERANCE) return new double[]{(plus - minus) / (2 * h)};
        }
        return null;
    }

    private double lossAt(Graph graph, String loss, Map<String, Tensor> in, String p, double[] dir, double h) {
        Tensor t = in.get(p);
        double[] v = t.data().clone();
        for (int i = 0; i < v.length; i++) v[i] += h * dir[i];
        Map<String, Tensor> a = new HashMap<>(in);
        a.put(p, new Tensor(t.dtype(), t.shape(), v));
        return executor.run(graph, a).get(loss).item();
    }

    private double numeric(Graph graph, String loss, Map<String, Tensor> in, String p, double[] dir) {
        Tensor t = in.get(p);
        double[] plus = t.data().clone(), minus = t.data().clone();
        for (int i = 0; i < plus.length; i++) {
            plus[i] += H * dir[i];
            minus[i] -= H * dir[i];
        }
        Map<String, Tensor> a = new HashMap<>(in), b = new HashMap<>(in);
        a.put(p, new Tensor(t.dtype(), t.shape(), plus));
        b.put(p, new Tensor(t.dtype(), t.shape(), minus));
        return (executor.run(graph, a).get(loss).item() - executor.run(graph, b).get(loss).item()) / (2 * H);
    }

    private static void record(double[] worst, double analytic, double numeric, double floor) {
        double e = error(analytic, numeric, floor);
        if (e > worst[0] || Double.isNaN(e)) {
            worst[0] = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            worst[1] = analytic;
            worst[2] = numeric;
        }
    }

    private static double error(double analytic, double numeric, double floor) {
        if (!Double.isFinite(analytic) || !Double.isFinite(numeric)) return Double.POSITIVE_INFINITY;
        return Math.abs(analytic - numeric) / Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), floor);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
