package dlc.frontend.train;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Staging;
import dlc.ir.Graph;
import dlc.ir.TensorType;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classification metric of a train block.
 *
 * <p>{@code metric accuracy(OUT, LABELS)} compares the argmax over OUT's last axis with integer
 * LABELS at every position (token-level for sequences); {@code metric masked_accuracy(OUT, LABELS,
 * MASK)} counts only the positions where MASK is nonzero. LABELS and MASK name an input or an
 * output of the model (an output lets a language model name its shifted targets).
 *
 * <p>Without the setting, the default follows the data flow: the labels are the integer input of
 * rank >= 1 that a loss reads and the prediction does not (the target of the loss, never a token
 * fed to the model), paired with the first floating output with one more axis that does not
 * depend on it; a floating input of the labels' shape that only the loss reads (a padding mask)
 * makes it masked accuracy. Where no input qualifies, or several do, there is no default: a
 * warning says so when an integer input could have been mistaken for labels, and asks for the
 * {@code metric} setting. {@code metric none} turns the metric off.
 */
final class Metrics {
    private Metrics() {}

    static TrainPlan.Metric resolve(Staging staging, BlockSettings.MetricSetting setting, Graph train, Span block) {
        if (setting == null) return byDataflow(staging, train, block);
        if (setting.disabled()) return null;
        List<Graph.Output> outputs = outputs(train);
        Graph.Output out = outputs.stream().filter(o -> o.name().equals(setting.output())).findFirst().orElse(null);
        if (out == null)
            staging.report(staging.error(setting.span(), "the model has no output named '" + setting.output() + "'",
                    Staging.didYouMean(setting.output(), outputs.stream().map(Graph.Output::name).toList())));
        TensorType labels = named(staging, setting, setting.labels(), train);
        TensorType mask = setting.mask() == null ? null : named(staging, setting, setting.mask(), train);
        if (out == null || labels == null || (setting.mask() != null && mask == null)) return null;
        if (!labels.dtype().isInteger() || !fits(out.value().type(), labels)) {
            staging.report(staging.error(setting.span(), "accuracy compares the argmax over the last axis of an output with integer labels, but '"
                    + out.name() + "' is " + out.value().type() + " and '" + setting.labels() + "' is " + labels,
                    "the output needs one more axis than the labels, e.g. f32[B, 10] for i32[B] or f32[B, T, V] for i32[B, T]"));
            return null;
        }
        if (mask != null && !(mask.rank() == labels.rank() && mask.shape().equals(labels.shape()))) {
            staging.report(staging.error(setting.span(), "the mask '" + setting.mask() + "' is " + mask + " but the labels '" + setting.labels()
                    + "' are " + labels, "the mask needs the labels' shape: one weight per label, nonzero where it counts"));
            return null;
        }
        return new TrainPlan.Metric(mask == null ? "accuracy" : "masked_accuracy", out.name(), setting.labels(), setting.mask());
    }

    /** The type of the input or output {@code name}, or null after reporting that there is none. */
    private static TensorType named(Staging staging, BlockSettings.MetricSetting setting, String name, Graph train) {
        for (Value v : train.inputs(Value.Role.INPUT)) if (v.name().equals(name)) return v.type();
        for (Graph.Output o : outputs(train)) if (o.name().equals(name)) return o.value().type();
        List<String> known = new ArrayList<>();
        train.inputs(Value.Role.INPUT).forEach(v -> known.add(v.name()));
        outputs(train).forEach(o -> known.add(o.name()));
        staging.report(staging.error(setting.span(), "the model has no input or output named '" + name + "'", Staging.didYouMean(name, known)));
        return null;
    }

    private static List<Graph.Output> outputs(Graph train) {
        return train.outputs().stream().filter(o -> o.role() == Graph.Output.Role.OUTPUT).toList();
    }

    private static TrainPlan.Metric byDataflow(Staging staging, Graph train, Span block) {
        Map<Value, Set<String>> reads = Dataflow.inputsRead(train);
        Set<String> lossReads = new java.util.HashSet<>();
        for (Graph.Output o : train.outputs()) if (o.role() == Graph.Output.Role.LOSS) lossReads.addAll(reads.get(o.value()));
        List<Value> ints = train.inputs(Value.Role.INPUT).stream().filter(v -> v.type().dtype().isInteger() && v.type().rank() >= 1).toList();
        List<String> tried = new ArrayList<>();   // integer inputs that shape-fit an output but are not the loss's target alone
        List<TrainPlan.Metric> found = new ArrayList<>();
        for (Value y : ints) {
            Graph.Output scores = null;
            for (Graph.Output o : outputs(train)) {
                if (!fits(o.value().type(), y.type())) continue;
                if (!lossReads.contains(y.name()) || reads.get(o.value()).contains(y.name())) {
                    if (!tried.contains(y.name())) tried.add(y.name());
                    continue;
                }
                scores = o;
                break;
            }
            if (scores == null) continue;
            Set<String> predictionReads = reads.get(scores.value());
            List<Value> masks = train.inputs(Value.Role.INPUT).stream().filter(m -> m != y && !m.type().dtype().isInteger()
                    && m.type().shape().equals(y.type().shape()) && lossReads.contains(m.name()) && !predictionReads.contains(m.name())).toList();
            found.add(masks.size() == 1 ? new TrainPlan.Metric("masked_accuracy", scores.name(), y.name(), masks.get(0).name())
                    : new TrainPlan.Metric("accuracy", scores.name(), y.name()));
        }
        if (found.size() == 1) return found.get(0);
        if (found.size() > 1)
            staging.report(warning(block, "no default accuracy: the loss reads several integer inputs that could be its labels ("
                    + String.join(", ", found.stream().map(TrainPlan.Metric::labels).toList()) + ")",
                    "name them: metric accuracy(OUTPUT, LABELS), or metric none"));
        else if (!tried.isEmpty())
            staging.report(warning(block, "no default accuracy: the integer input" + (tried.size() > 1 ? "s " : " ") + String.join(", ", tried)
                    + (tried.size() > 1 ? " feed" : " feeds") + " the model's outputs (or no loss), so " + (tried.size() > 1 ? "they are" : "it is")
                    + " not the loss's labels",
                    "name the target: metric accuracy(OUTPUT, LABELS) (LABELS may be an output, e.g. the next tokens), or metric none"));
        return null;
    }

    private static Diagnostic warning(Span at, String message, String hint) {
        return new Diagnostic(Diagnostic.Severity.WARNING, at, message, hint, List.of());
    }

    /** Whether scores (floating, labels' dims plus a class axis) can be compared with labels. */
    private static boolean fits(TensorType scores, TensorType labels) {
        if (!scores.dtype().isFloating() || scores.rank() != labels.rank() + 1) return false;
        for (int i = 0; i < labels.rank(); i++) if (!scores.shape().dim(i).equals(labels.shape().dim(i))) return false;
        return true;
    }
}
