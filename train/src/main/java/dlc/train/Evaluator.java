package dlc.train;

import dlc.data.Batches;
import dlc.data.Dataset;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs a model's {@code eval} graph over a data set in batches and reports {@link Metrics}. The
 * accuracy pair is the plan's, or else found: the first integer input of rank r >= 1 (labels) and
 * the first floating output of rank r + 1 (scores over K classes); the prediction is the argmax
 * over the last axis, and accuracy is the share of labels predicted right (of the labels where the
 * plan's mask is nonzero, for masked accuracy). Labels and mask are inputs or outputs of the eval
 * graph (a language model names its shifted targets as an output). A plan compiled from a train
 * block always names the pair or none (the frontend's default follows the loss's data flow); the
 * finder here serves hand-built plans.
 */
public final class Evaluator {
    private final Graph eval;
    private final Executor executor;
    private final String lossName;
    private final String accuracyOutput, accuracyLabel, accuracyMask;

    /** As both accuracy names: measure no accuracy (the block said {@code metric none}, or none applies). */
    public static final String NO_ACCURACY = "";

    /** An evaluator of {@code eval} measuring {@code metric} (null: no accuracy; {@link TrainPlan.Metric#FIND}: a pair found as above). */
    public static Evaluator of(Graph eval, Executor executor, TrainPlan.Metric metric) {
        return metric == null ? new Evaluator(eval, executor, NO_ACCURACY, NO_ACCURACY)
                : new Evaluator(eval, executor, metric.output(), metric.labels(), metric.mask());
    }

    /** An evaluator of {@code eval}; {@code accuracyOutput}/{@code accuracyLabel} may be null to find them. */
    public Evaluator(Graph eval, Executor executor, String accuracyOutput, String accuracyLabel) {
        this(eval, executor, accuracyOutput, accuracyLabel, null);
    }

    /** As above, counting only the labels where {@code accuracyMask} (an input or output of the labels' shape; null: none) is nonzero. */
    public Evaluator(Graph eval, Executor executor, String accuracyOutput, String accuracyLabel, String accuracyMask) {
        this.eval = eval;
        this.executor = executor;
        this.lossName = eval.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).map(Graph.Output::name).findFirst().orElse(null);
        boolean none = NO_ACCURACY.equals(accuracyOutput);
        if (none) accuracyOutput = accuracyLabel = null;
        String label = none ? null : accuracyLabel, out = none ? null : accuracyOutput;
        if (label == null)
            label = InputBinding.modelInputs(eval).stream().filter(v -> v.type().dtype().isInteger() && v.type().rank() >= 1)
                    .map(Value::name).findFirst().orElse(null);
        if (out == null && label != null) {
            int rank = eval.input(label).orElseThrow().type().rank();
            out = eval.outputs().stream().filter(o -> o.role() == Graph.Output.Role.OUTPUT && o.value().type().dtype().isFloating()
                    && o.value().type().rank() == rank + 1 && !o.value().type().shape().dim(rank).equals(Dim.of(1)))
                    .map(Graph.Output::name).findFirst().orElse(null);
        }
        if (accuracyOutput != null && eval.output(accuracyOutput).isEmpty())
            throw new TrainException("accuracy output '" + accuracyOutput + "' is not an output of the model; outputs: "
                    + eval.outputs().stream().map(Graph.Output::name).toList());
        if (accuracyLabel != null && eval.input(accuracyLabel).isEmpty() && eval.output(accuracyLabel).isEmpty())
            throw new TrainException("accuracy label '" + accuracyLabel + "' is not an input or output of the model");
        if (accuracyMask != null && eval.input(accuracyMask).isEmpty() && eval.output(accuracyMask).isEmpty())
            throw new TrainException("accuracy mask '" + accuracyMask + "' is not an input or output of the model");
        this.accuracyOutput = label == null ? null : out;
        this.accuracyLabel = out == null ? null : label;
        this.accuracyMask = this.accuracyOutput == null || none ? null : accuracyMask;
    }

    /** Whether the model has a loss (a Hopfield net or a spiking model may have none). */
    public boolean hasLoss() { return lossName != null; }

    /** Metrics of the model with {@code weights} (params and state by name) on {@code data}, in batches of {@code batch}. */
    public Metrics evaluate(Dataset data, Map<String, Tensor> weights, int batch, long rngKey) {
        try (ResidentState state = executor.resident(weights)) {
            return evaluate(data, state, batch, rngKey);
        }
    }

    /**
     * Metrics of the model with the params and state of {@code weights} (kept where the executor
     * computes: a device backend reads them where they are) on {@code data}, in batches of
     * {@code batch}; only the outputs the metrics need are read back.
     */
    public Metrics evaluate(Dataset data, ResidentState weights, int batch, long rngKey) {
        InputBinding binding = InputBinding.of(eval, data);
        boolean classes = accuracyOutput != null && (!data.has(accuracyLabel) || data.isClassification() || !data.column(accuracyLabel).isFloat());
        Set<String> wanted = new HashSet<>();
        for (String name : new String[]{lossName, accuracyOutput, accuracyLabel, accuracyMask}) if (name != null) wanted.add(name);
        double lossSum = 0;
        long correct = 0, labelled = 0;
        int n = 0;
        Batches batches = Batches.sequential(data, batch, true);
        for (int b = 0; b < batches.count(); b++) {
            Dataset part = batches.batch(b);
            Map<String, Tensor> in = new HashMap<>(binding.feed(part));
            in.put(Trainer.RNG, Trainer.key(Rng.fold(rngKey, b)));
            Map<String, Tensor> out = weights.run(eval, in, wanted, false);
            if (lossName != null) lossSum += out.get(lossName).item() * part.size();
            if (classes) {
                Tensor labels = in.containsKey(accuracyLabel) ? in.get(accuracyLabel) : out.get(accuracyLabel);
                Tensor mask = accuracyMask == null ? null : in.containsKey(accuracyMask) ? in.get(accuracyMask) : out.get(accuracyMask);
                long[] counts = countCorrect(out.get(accuracyOutput), labels, mask);
                correct += counts[0];
                labelled += counts[1];
            }
            n += part.size();
        }
        return new Metrics(n == 0 || lossName == null ? Double.NaN : lossSum / n, classes && labelled > 0 ? (double) correct / labelled : Double.NaN, n);
    }

    /**
     * {right, counted}: the labels counted (all, or where {@code mask} is nonzero; mask may be null)
     * and those whose argmax over the scores' last axis is right (scores: the labels' shape plus a class axis).
     */
    static long[] countCorrect(Tensor scores, Tensor labels, Tensor mask) {
        int k = scores.dim(scores.rank() - 1), rows = labels.size();
        if (scores.size() != (long) rows * k)
            throw new TrainException("accuracy needs scores of the labels' shape plus a class axis, got " + java.util.Arrays.toString(scores.shape())
                    + " for labels " + java.util.Arrays.toString(labels.shape()));
        if (mask != null && mask.size() != rows)
            throw new TrainException("masked accuracy needs a mask of the labels' shape, got " + java.util.Arrays.toString(mask.shape())
                    + " for labels " + java.util.Arrays.toString(labels.shape()));
        double[] s = scores.data(), y = labels.data(), m = mask == null ? null : mask.data();
        long c = 0, counted = 0;
        for (int i = 0; i < rows; i++) {
            if (m != null && m[i] == 0) continue;
            counted++;
            int best = 0;
            for (int j = 1; j < k; j++) if (s[i * k + j] > s[i * k + best]) best = j;
            if (best == (int) y[i]) c++;
        }
        return new long[]{c, counted};
    }
}
