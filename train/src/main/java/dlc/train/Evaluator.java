package dlc.train;

import dlc.data.Batches;
import dlc.data.Dataset;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.runtime.Rng;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs a model's {@code eval} graph over a data set in batches and reports {@link Metrics}. The
 * accuracy pair is the plan's, or else found: the first integer input of rank r >= 1 (labels) and
 * the first floating output of rank r + 1 (scores over K classes); the prediction is the argmax
 * over the last axis, and accuracy is the share of labels predicted right.
 */
public final class Evaluator {
    private final Graph eval;
    private final Executor executor;
    private final String lossName;
    private final String accuracyOutput, accuracyLabel;

    /** An evaluator of {@code eval}; {@code accuracyOutput}/{@code accuracyLabel} may be null to find them. */
    public Evaluator(Graph eval, Executor executor, String accuracyOutput, String accuracyLabel) {
        this.eval = eval;
        this.executor = executor;
        this.lossName = eval.outputs().stream().filter(o -> o.role() == Graph.Output.Role.LOSS).map(Graph.Output::name).findFirst().orElse(null);
        boolean none = TrainPlan.NO_ACCURACY.equals(accuracyOutput);
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
        if (accuracyLabel != null && eval.input(accuracyLabel).isEmpty())
            throw new TrainException("accuracy label '" + accuracyLabel + "' is not an input of the model");
        this.accuracyOutput = label == null ? null : out;
        this.accuracyLabel = out == null ? null : label;
    }

    /** Whether the model has a loss (a Hopfield net or a spiking model may have none). */
    public boolean hasLoss() { return lossName != null; }

    /** Metrics of the model with {@code weights} (params and state by name) on {@code data}, in batches of {@code batch}. */
    public Metrics evaluate(Dataset data, Map<String, Tensor> weights, int batch, long rngKey) {
        InputBinding binding = InputBinding.of(eval, data);
        boolean classes = accuracyOutput != null && (!data.has(accuracyLabel) || data.isClassification() || !data.column(accuracyLabel).isFloat());
        double lossSum = 0;
        long correct = 0, labelled = 0;
        int n = 0;
        Batches batches = Batches.sequential(data, batch, true);
        for (int b = 0; b < batches.count(); b++) {
            Dataset part = batches.batch(b);
            Map<String, Tensor> in = new HashMap<>(weights);
            in.putAll(binding.feed(part));
            in.put(Trainer.RNG, Trainer.key(Rng.fold(rngKey, b)));
            Map<String, Tensor> out = executor.run(eval, in);
            if (lossName != null) lossSum += out.get(lossName).item() * part.size();
            if (classes) {
                correct += countCorrect(out.get(accuracyOutput), in.get(accuracyLabel));
                labelled += in.get(accuracyLabel).size();
            }
            n += part.size();
        }
        return new Metrics(n == 0 || lossName == null ? Double.NaN : lossSum / n, classes && labelled > 0 ? (double) correct / labelled : Double.NaN, n);
    }

    /** Labels whose argmax over the scores' last axis is right (scores: the labels' shape plus a class axis). */
    private static long countCorrect(Tensor scores, Tensor labels) {
        int k = scores.dim(scores.rank() - 1), rows = labels.size();
        if (scores.size() != (long) rows * k)
            throw new TrainException("accuracy needs scores of the labels' shape plus a class axis, got " + java.util.Arrays.toString(scores.shape())
                    + " for labels " + java.util.Arrays.toString(labels.shape()));
        double[] s = scores.data(), y = labels.data();
        long c = 0;
        for (int i = 0; i < rows; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (s[i * k + j] > s[i * k + best]) best = j;
            if (best == (int) y[i]) c++;
        }
        return c;
    }
}
