package dlc.train;

import dlc.data.Column;
import dlc.data.Dataset;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Value;

import java.util.List;

/**
 * Checks a data set's integer-valued columns against the model before training or evaluating, so
 * that labels the model cannot mean are an error naming the sample, not a run that trains silently
 * on garbage (a class index past the logits reads whatever the gather reads).
 *
 * <p>Every column bound to an integer model input must hold whole numbers (a float column of 1.5 is
 * not a class index). The class labels (the plan's accuracy labels, else the first integer input
 * that an output scores: an output of the input's shape plus a constant class axis of K) must lie in
 * {@code [0, K)}.
 */
public final class LabelCheck {
    private LabelCheck() {}

    /**
     * Checks {@code data} against the model inputs of {@code eval}; {@code labels} names the class
     * label input, or null to find it as described above ({@link Evaluator#NO_ACCURACY}: none).
     *
     * @throws TrainException naming the data set, the column, the sample (1-based) and the value
     */
    public static void check(Graph eval, String labels, Dataset data) {
        for (Value v : InputBinding.modelInputs(eval)) {
            if (!v.type().dtype().isInteger() || !data.has(v.name())) continue;
            Column c = data.column(v.name());
            if (c.isFloat()) {
                float[] f = c.floats();
                for (int i = 0; i < f.length; i++)
                    if (f[i] != Math.rint(f[i]))
                        throw new TrainException("data set '" + data.name() + "', column '" + c.name() + "', sample " + (i / Math.max(1, c.sampleSize()) + 1)
                                + ": " + f[i] + " is not a whole number, but model input '" + v.name() + "' is " + v.type());
            }
        }
        Value label = labelInput(eval, labels);
        if (label == null || !data.has(label.name())) return;
        int k = classes(eval, label);
        if (k <= 0) return;
        Column c = data.column(label.name());
        int per = Math.max(1, c.sampleSize());
        for (int i = 0; i < c.size() * c.sampleSize(); i++) {
            double y = c.isFloat() ? c.floats()[i] : c.ints()[i];
            if (y < 0 || y >= k)
                throw new TrainException("data set '" + data.name() + "', column '" + c.name() + "', sample " + (i / per + 1) + ": label " + fmt(y)
                        + " is not a class of the model: its output scores " + k + " classes (labels 0 to " + (k - 1) + ")");
        }
    }

    /** As {@link #check(Graph, String, Dataset)} with the labels of the plan's metric (none: no class labels; {@code Metric.FIND}: found). */
    public static void checkPlan(Graph eval, TrainPlan plan, Dataset data) {
        check(eval, plan.metric() == null ? Evaluator.NO_ACCURACY : plan.metric().labels(), data);
    }

    private static Value labelInput(Graph eval, String labels) {
        List<Value> ins = InputBinding.modelInputs(eval);
        if (labels != null) return ins.stream().filter(v -> v.name().equals(labels)).findFirst().orElse(null);
        return ins.stream().filter(v -> v.type().dtype().isInteger() && v.type().rank() >= 1 && classes(eval, v) > 0).findFirst().orElse(null);
    }

    /** K when an OUTPUT of {@code eval} has the label's shape plus a constant last axis K (the same K for all such outputs); else 0. */
    private static int classes(Graph eval, Value label) {
        List<Dim> want = label.type().shape().dims();
        int k = 0;
        for (Graph.Output o : eval.outputs()) {
            if (o.role() != Graph.Output.Role.OUTPUT || !o.value().type().dtype().isFloating()) continue;
            List<Dim> dims = o.value().type().shape().dims();
            if (dims.size() != want.size() + 1 || !dims.subList(0, want.size()).equals(want)) continue;
            Dim last = dims.get(dims.size() - 1);
            if (!last.isConst()) continue;
            if (k != 0 && k != last.value()) return 0; // outputs disagree: no single class count to check against
            k = (int) last.value();
        }
        return k;
    }

    private static String fmt(double y) { return y == Math.rint(y) ? Long.toString((long) y) : Double.toString(y); }
}
