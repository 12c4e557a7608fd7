package dlc.frontend.train;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.CompileError;
import dlc.frontend.lower.Staging;
import dlc.frontend.lower.Val;
import dlc.frontend.lower.Val.*;

import java.util.*;

/**
 * Reads a train block's settings into a {@link BlockSettings}: checks names (unknown settings get a
 * did-you-mean), counts and kinds of values, and evaluates optimizers and schedules in the file's
 * scope (where std.optim's names are visible). Mistakes are reported; the result is null when
 * there were any.
 */
final class TrainSettings {
    /** Settings a step may give (the block's are its defaults). */
    static final List<String> STEP_SETTINGS = List.of("loss", "params", "optimizer", "schedule", "clip");
    /** Settings only the block gives. */
    static final List<String> BLOCK_SETTINGS = List.of("data", "test", "batch", "epochs", "seed", "validation", "patience", "min_delta", "metric");

    private final Staging staging;
    private final int errorsBefore;

    private TrainSettings(Staging staging) {
        this.staging = staging;
        this.errorsBefore = staging.errorCount();
    }

    static BlockSettings read(Staging staging, Train block) {
        return new TrainSettings(staging).read(block);
    }

    private BlockSettings read(Train block) {
        Map<String, TrainSetting> top = settings(block.items(), false);
        List<TrainStep> stepBlocks = new ArrayList<>();
        for (TrainItem i : block.items()) if (i instanceof TrainStep s) stepBlocks.add(s);

        TrainPlan.DataSet data = top.containsKey("data") ? data(top.get("data")) : null;
        TrainPlan.DataSet test = top.containsKey("test") ? data(top.get("test")) : null;
        String normalize = null;
        if (data != null && data.args().containsKey(NORMALIZE)) {
            normalize = normalize(top.get("data"), data.args().get(NORMALIZE));
            Map<String, Object> rest = new LinkedHashMap<>(data.args());
            rest.remove(NORMALIZE);
            data = new TrainPlan.DataSet(data.name(), rest);
        }
        if (test != null && test.args().containsKey(NORMALIZE))
            report(argument(top.get("test"), NORMALIZE).span(), "the test set takes no normalize argument: it is normalized like the training data",
                    "give normalize on data");
        int batch = (int) integer(top.get("batch"), 32, 1, Integer.MAX_VALUE);
        int epochs = (int) integer(top.get("epochs"), 10, 1, Integer.MAX_VALUE);
        long seed = integer(top.get("seed"), 0, Long.MIN_VALUE, Long.MAX_VALUE);
        double validation = number(top.get("validation"), 0.1, 0.0, 1.0);
        int patience = (int) integer(top.get("patience"), 0, 0, Integer.MAX_VALUE);
        double minDelta = number(top.get("min_delta"), 0.0, 0.0, Double.POSITIVE_INFINITY);
        BlockSettings.MetricSetting metric = top.containsKey("metric") ? metric(top.get("metric")) : null;

        List<BlockSettings.StepPlan> steps = new ArrayList<>();
        if (stepBlocks.isEmpty()) steps.add(step("step", block.span(), top, Map.of()));
        Set<String> names = new HashSet<>();
        for (TrainStep s : stepBlocks) {
            if (!names.add(s.name())) {
                report(s.span(), "duplicate step '" + s.name() + "'", "give each step its own name");
                continue;
            }
            steps.add(step(s.name(), s.span(), top, settings(s.items(), true)));
        }
        if (staging.errorCount() > errorsBefore) return null;
        return new BlockSettings(data, test, normalize, batch, epochs, seed, validation, patience, minDelta, metric, steps, !stepBlocks.isEmpty());
    }

    // ---- names ---------------------------------------------------------------------------------

    private Map<String, TrainSetting> settings(List<TrainItem> items, boolean inStep) {
        Map<String, TrainSetting> out = new LinkedHashMap<>();
        List<String> known = new ArrayList<>(STEP_SETTINGS);
        if (!inStep) known.addAll(BLOCK_SETTINGS);
        for (TrainItem item : items) {
            if (item instanceof TrainStep s) {
                if (inStep) report(s.span(), "a step cannot hold another step", null);
                continue;
            }
            TrainSetting s = (TrainSetting) item;
            if (!known.contains(s.name())) {
                if (inStep && BLOCK_SETTINGS.contains(s.name()))
                    report(s.span(), "'" + s.name() + "' is a setting of the whole train block, not of one step", "move it out of the step");
                else {
                    List<String> all = new ArrayList<>(STEP_SETTINGS);
                    all.addAll(BLOCK_SETTINGS);
                    String hint = Staging.didYouMean(s.name(), all);
                    report(s.span(), "unknown train setting '" + s.name() + "'",
                            hint != null ? hint : "settings: " + String.join(", ", all));
                }
                continue;
            }
            if (out.containsKey(s.name())) {
                report(s.span(), "setting '" + s.name() + "' is given twice", null);
                continue;
            }
            if (s.values().isEmpty()) {
                report(s.span(), "setting '" + s.name() + "' needs a value", null);
                continue;
            }
            if (!s.name().equals("params") && s.values().size() > 1) {
                report(s.values().get(1).span(), "setting '" + s.name() + "' takes one value", null);
                continue;
            }
            out.put(s.name(), s);
        }
        return out;
    }

    private BlockSettings.StepPlan step(String name, Span span, Map<String, TrainSetting> top, Map<String, TrainSetting> own) {
        Map<String, TrainSetting> s = new HashMap<>(top);
        s.putAll(own);
        TrainSetting loss = s.get("loss"), params = s.get("params");
        String lossName = loss == null ? null : dotted(loss.values().get(0));
        if (loss != null && lossName == null) report(loss.values().get(0).span(), "'loss' names one of the model's losses", "e.g. loss d_loss");
        List<String> prefixes = null;
        if (params != null) {
            prefixes = new ArrayList<>();
            for (Expr e : params.values()) {
                String p = dotted(e);
                if (p == null) report(e.span(), "'params' takes parameter paths or prefixes such as encoder or encoder.dense", null);
                else prefixes.add(p);
            }
        }
        BlockSettings.Optimizer opt = s.containsKey("optimizer") ? optimizer(s.get("optimizer")) : null;
        TrainSetting sch = s.get("schedule");
        FnV schedule = null;
        if (sch != null) {
            Val v = eval(sch.values().get(0));
            if (v instanceof FnV f) schedule = f;
            else if (v != null)
                report(sch.values().get(0).span(), "a schedule is a function of the step count t, got " + v.describe(),
                        "e.g. schedule cosine_decay(1000) or schedule warmup(100)");
        }
        BlockSettings.Clip clip = s.containsKey("clip") ? clip(s.get("clip")) : null;
        return new BlockSettings.StepPlan(name, span, lossName, loss == null ? span : loss.span(), prefixes,
                params == null ? span : params.span(), opt, schedule, sch == null ? span : sch.span(), clip);
    }

    // ---- values --------------------------------------------------------------------------------

    private BlockSettings.Optimizer optimizer(TrainSetting s) {
        Expr e = s.values().get(0);
        Val v = eval(e);
        if (v == null) return null;
        if (v instanceof SeqV seq && seq.items().size() == 2 && seq.items().get(0) instanceof FnV init && seq.items().get(1) instanceof FnV update)
            return new BlockSettings.Optimizer(init, update, e.span());
        report(e.span(), "an optimizer is a pair of functions (init, update), got " + v.describe(),
                "use one of std.optim's, e.g. adam(lr=1e-3), sgd(lr=0.1), or write a def returning (init, update)");
        return null;
    }

    private BlockSettings.Clip clip(TrainSetting s) {
        Expr e = s.values().get(0);
        String how = "norm";
        Expr arg = e;
        if (e instanceof Call c && c.callee() instanceof Name n) {
            how = n.name();
            if (!how.equals("norm") && !how.equals("value")) {
                report(c.callee().span(), "unknown clipping '" + how + "'",
                        Optional.ofNullable(Staging.didYouMean(how, List.of("norm", "value"))).orElse("write clip norm(c) or clip value(c)"));
                return null;
            }
            if (c.args().size() != 1 || c.args().get(0).name() != null) {
                report(c.span(), "clip " + how + "(c) takes one number", null);
                return null;
            }
            arg = c.args().get(0).value();
        }
        Val v = eval(arg);
        if (v == null) return null;
        if (!(v instanceof IntV || v instanceof FloatV) || num(v) <= 0) {
            report(arg.span(), "the clipping threshold must be a positive number, got " + v.describe(), "e.g. clip norm(1.0)");
            return null;
        }
        return new BlockSettings.Clip(how.equals("norm"), num(v), s.span());
    }

    private BlockSettings.MetricSetting metric(TrainSetting s) {
        Expr e = s.values().get(0);
        if (e instanceof Name n && n.name().equals("none")) return new BlockSettings.MetricSetting(true, null, null, null, e.span());
        if (e instanceof Call c && c.callee() instanceof Name n && c.args().stream().allMatch(a -> a.name() == null && a.value() instanceof Name)) {
            List<String> names = c.args().stream().map(a -> ((Name) a.value()).name()).toList();
            if (n.name().equals("accuracy") && names.size() == 2) return new BlockSettings.MetricSetting(false, names.get(0), names.get(1), null, e.span());
            if (n.name().equals("masked_accuracy") && names.size() == 3)
                return new BlockSettings.MetricSetting(false, names.get(0), names.get(1), names.get(2), e.span());
        }
        report(e.span(), "unknown metric", "write metric accuracy(OUTPUT, LABELS), metric masked_accuracy(OUTPUT, LABELS, MASK) "
                + "(names of the model's outputs and inputs), or metric none");
        return null;
    }

    /** {@code data}'s argument that the trainer reads itself (how to normalize), not the data set's loader. */
    static final String NORMALIZE = "normalize";

    /** The one positional argument of a data set: its sample count. */
    static final String SAMPLES = "n";

    private TrainPlan.DataSet data(TrainSetting s) {
        Expr e = s.values().get(0);
        if (e instanceof StringLit str) return new TrainPlan.DataSet(str.value());
        if (e instanceof Name n) return new TrainPlan.DataSet(n.name());
        if (e instanceof Call c && c.callee() instanceof Name n) {
            Map<String, Object> options = new LinkedHashMap<>();
            int positional = 0;
            for (Arg a : c.args()) {
                if (a.name() == null && positional++ == 1) {
                    report(a.value().span(), s.name() + " " + n.name() + ": give the arguments after the first by name",
                            "the first is the sample count n; e.g. " + n.name() + "(512, noise=0.1)");
                    return null;
                }
                Object v = java(a.value());
                if (v == null) return null;
                if (v instanceof Long l && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) && !"seed".equals(a.name())) {
                    report(a.value().span(), "data set argument " + (a.name() == null ? "" : "'" + a.name() + "' ") + "= " + l + " does not fit an int",
                            "sizes and counts are at most 2147483647");
                    return null;
                }
                if (v instanceof Double d && !Double.isFinite(d)) {
                    report(a.value().span(), "data set argument " + (a.name() == null ? "" : "'" + a.name() + "' ") + "= " + d + " is not a finite number", null);
                    return null;
                }
                String name = a.name() == null ? SAMPLES : a.name();
                if (options.containsKey(name)) {
                    report(a.value().span(), s.name() + " " + n.name() + ": argument '" + name + "' is given twice", null);
                    return null;
                }
                options.put(name, v);
            }
            return new TrainPlan.DataSet(n.name(), options);
        }
        report(e.span(), "'" + s.name() + "' names a dataset", s.name().equals("test")
                ? "e.g. test fashion_mnist(part = \"test\")" : "e.g. data two_moons(n = 1000) or data \"mnist\"");
        return null;
    }

    /** data's normalize argument: one of {@link TrainPlan#NORMALIZATIONS}; null (reported) otherwise. */
    private String normalize(TrainSetting s, Object value) {
        if (value instanceof String how && TrainPlan.NORMALIZATIONS.contains(how)) return how;
        report(argument(s, NORMALIZE).span(), "normalize must be one of " + TrainPlan.NORMALIZATIONS + ", got " + (value instanceof String ? "'" + value + "'" : value),
                "e.g. normalize=\"standardize\"");
        return null;
    }

    /** The expression of argument name in a data setting's call (the setting's value when it has none). */
    private static Expr argument(TrainSetting s, String name) {
        Expr e = s.values().get(0);
        if (e instanceof Call c) for (Arg a : c.args()) if (name.equals(a.name())) return a.value();
        return e;
    }

    /** A compile-time value as Long, Double, Boolean, String or List; null (reported) otherwise. */
    private Object java(Expr e) {
        Val v = eval(e);
        if (v == null) return null;
        Object o = javaOf(v);
        if (o == null) report(e.span(), "a dataset argument must be a number, bool, string or list of them, got " + v.describe(), null);
        return o;
    }

    private static Object javaOf(Val v) {
        if (v instanceof IntV i) return i.v();
        if (v instanceof FloatV f) return f.v();
        if (v instanceof BoolV b) return b.v();
        if (v instanceof StrV s) return s.v();
        if (v instanceof SeqV s) {
            List<Object> out = new ArrayList<>();
            for (Val x : s.items()) {
                Object o = javaOf(x);
                if (o == null) return null;
                out.add(o);
            }
            return out;
        }
        return null;
    }

    /** An int setting in [min, max]; a value out of range is reported, never truncated to fit. */
    private long integer(TrainSetting s, long dflt, long min, long max) {
        if (s == null) return dflt;
        Expr e = s.values().get(0);
        Val v = eval(e);
        if (v == null) return dflt;
        if (!(v instanceof IntV i) || i.v() < min) {
            report(e.span(), "'" + s.name() + "' must be an int" + (min > Long.MIN_VALUE ? " >= " + min : "") + ", got " + v.describe(), null);
            return dflt;
        }
        if (i.v() > max) {
            report(e.span(), "'" + s.name() + "' must be at most " + max + ", got " + v.describe(), "a larger value does not fit the trainer's int counters");
            return dflt;
        }
        return i.v();
    }

    private double number(TrainSetting s, double dflt, double min, double maxExclusive) {
        if (s == null) return dflt;
        Expr e = s.values().get(0);
        Val v = eval(e);
        if (v == null) return dflt;
        // written so that NaN (inf - inf) fails too: every comparison with NaN is false
        if (!(v instanceof IntV || v instanceof FloatV) || !(num(v) >= min && num(v) < maxExclusive)) {
            report(e.span(), "'" + s.name() + "' must be a number in [" + min + ", " + maxExclusive + "), got " + v.describe(), null);
            return dflt;
        }
        return num(v);
    }

    private static double num(Val v) { return v instanceof IntV i ? i.v() : ((FloatV) v).v(); }

    /** Evaluates e; null when it failed (the mistake is reported). */
    private Val eval(Expr e) {
        try {
            return staging.eval(e);
        } catch (CompileError err) {
            staging.report(err);
            return null;
        }
    }

    private void report(Span span, String message, String hint) { staging.report(staging.error(span, message, hint)); }

    /** a, a.b.c as text; null for any other expression. */
    static String dotted(Expr e) {
        if (e instanceof Name n) return n.name();
        if (e instanceof Member m) {
            String t = dotted(m.target());
            return t == null ? null : t + "." + m.name();
        }
        return null;
    }
}
