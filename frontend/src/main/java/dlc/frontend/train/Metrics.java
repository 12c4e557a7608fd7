package dlc.frontend.train;

import dlc.frontend.lower.Staging;
import dlc.ir.Graph;
import dlc.ir.TensorType;
import dlc.ir.Value;

import java.util.List;

/**
 * The classification metric of a train block: {@code metric accuracy(OUT, LABELS)} names an
 * OUTPUT and an integer INPUT; without the setting the default is the first integer input of
 * rank >= 1 (the labels) with the first floating output that has one more axis and the same
 * leading dims (the logits or probabilities); {@code metric none}, or no such pair, means none.
 */
final class Metrics {
    private Metrics() {}

    static TrainConfig.Metric resolve(Staging staging, TrainPlan.MetricSetting setting, Graph train) {
        List<Graph.Output> outputs = train.outputs().stream().filter(o -> o.role() == Graph.Output.Role.OUTPUT).toList();
        List<Value> inputs = train.inputs(Value.Role.INPUT);
        if (setting == null) {
            for (Value y : inputs) {
                if (!y.type().dtype().isInteger() || y.type().rank() == 0) continue;
                for (Graph.Output o : outputs)
                    if (fits(o.value().type(), y.type())) return new TrainConfig.Metric("accuracy", o.name(), y.name());
            }
            return null;
        }
        if (setting.disabled()) return null;
        Graph.Output out = outputs.stream().filter(o -> o.name().equals(setting.output())).findFirst().orElse(null);
        Value labels = inputs.stream().filter(v -> v.name().equals(setting.labels())).findFirst().orElse(null);
        if (out == null)
            staging.report(staging.error(setting.span(), "the model has no output named '" + setting.output() + "'",
                    Staging.didYouMean(setting.output(), outputs.stream().map(Graph.Output::name).toList())));
        if (labels == null)
            staging.report(staging.error(setting.span(), "the model has no input named '" + setting.labels() + "'",
                    Staging.didYouMean(setting.labels(), inputs.stream().map(Value::name).toList())));
        if (out == null || labels == null) return null;
        if (!labels.type().dtype().isInteger() || !fits(out.value().type(), labels.type())) {
            staging.report(staging.error(setting.span(), "accuracy compares the argmax over the last axis of an output with integer labels, but '"
                    + out.name() + "' is " + out.value().type() + " and '" + labels.name() + "' is " + labels.type(),
                    "the output needs one more axis than the labels, e.g. f32[B, 10] for i32[B]"));
            return null;
        }
        return new TrainConfig.Metric("accuracy", out.name(), labels.name());
    }

    /** Whether scores (floating, labels' dims plus a class axis) can be compared with labels. */
    private static boolean fits(TensorType scores, TensorType labels) {
        if (!scores.dtype().isFloating() || scores.rank() != labels.rank() + 1) return false;
        for (int i = 0; i < labels.rank(); i++) if (!scores.shape().dim(i).equals(labels.shape().dim(i))) return false;
        return true;
    }
}
