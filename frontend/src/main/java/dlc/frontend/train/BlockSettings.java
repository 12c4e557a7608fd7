package dlc.frontend.train;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.FnV;

import java.util.List;

/**
 * A train block's settings after checking, as compile-time values (optimizers and schedules are
 * .dl functions, every setting keeps its span for diagnostics): what {@link TrainLowering} builds
 * the step graphs from. The trainer never sees it; it reads the {@link TrainPlan} made from it.
 */
record BlockSettings(TrainPlan.DataSet data, TrainPlan.DataSet test, String normalize, int batch, int epochs, long seed, double validation,
                     int patience, double minDelta, MetricSetting metric, List<StepPlan> steps, boolean named) {

    /** {@code clip norm(c)} (global norm over the step's gradients) or {@code clip value(c)}. */
    record Clip(boolean byNorm, double c, Span span) {}

    /** The optimizer's two functions, and where it was written (for diagnostics and call notes). */
    record Optimizer(FnV init, FnV update, Span span) {}

    /**
     * {@code metric accuracy(out, labels)}, {@code metric masked_accuracy(out, labels, mask)}
     * ({@code mask} null for plain accuracy), {@code metric none} (disabled), or absent (default).
     */
    record MetricSetting(boolean disabled, String output, String labels, String mask, Span span) {}

    /**
     * One step: the loss it differentiates (null: the default {@code loss}), the param prefixes
     * it selects (null: the default set), its optimizer (null: a rule-only step), its schedule
     * factor and clipping, with the block's settings as defaults.
     */
    record StepPlan(String name, Span span, String loss, Span lossSpan, List<String> prefixes, Span paramsSpan,
                    Optimizer optimizer, FnV schedule, Span scheduleSpan, Clip clip) {}
}
