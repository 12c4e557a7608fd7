package dlc.frontend.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one description of a training run: what a {@code train} block (with the command line's
 * overrides) tells the trainer, as plain Java values, next to the step graphs that
 * {@link TrainLowering} adds to the module. The front end makes it ({@code Compilation.train()});
 * the trainer ({@code dlc.train.Trainer}) runs it; nothing in between re-reads text. The optimizer,
 * its schedule and clipping are not here: they are compiled into the step graphs.
 *
 * <p>Running it: evaluate graph {@code init} once (every param, model state, optimizer state and
 * the i64[] counter {@link #STEP_COUNTER}); then per batch run each step's graph in order. A step
 * graph's inputs are the model's inputs (the batch), {@code rng} when it draws, and every PARAM
 * and STATE input taken from the current values by name; its UPDATE outputs replace those values
 * by name, its LOSS output is the step's loss and its OUTPUT outputs are the model's outputs (for
 * metrics). Only the last step of an iteration increments the counter, so every step of one
 * iteration sees the same t = counter + 1.
 *
 * @param model      the model the block trains
 * @param data       the {@code data} setting, or null when the block has none (it compiles, but
 *                   cannot be trained)
 * @param test       the {@code test} setting: a held-apart test set the trainer measures after every
 *                   epoch and at the end, never trains on; null when none
 * @param normalize  how the features {@code x} are normalized ({@code data}'s {@code normalize}
 *                   argument), with statistics of the training split: {@code standardize} or
 *                   {@code minmax} (per feature), {@code pixels} (8-bit values over 255), or null
 *                   for as loaded; the test set is normalized the same way
 * @param batch      samples per step (default 32), positive
 * @param epochs     passes over the training data (default 10), non-negative
 * @param seed       seeds init, shuffling, the validation split and the per-step random keys (default 0)
 * @param validation fraction of the data held out for per-epoch validation (default 0.1), in [0, 1)
 * @param patience   epochs without improvement before early stopping; 0 disables it (default 0)
 * @param minDelta   the least decrease of the validation loss that counts as an improvement (default 0)
 * @param steps      the steps of one iteration, in order; at least one
 * @param metric     the classification metric, or null for none
 */
public record TrainPlan(String model, DataSet data, DataSet test, String normalize, int batch, int epochs, long seed,
                        double validation, int patience, double minDelta, List<Step> steps, Metric metric) {
    /**
     * The name of the iteration counter: an init output, a STATE input and UPDATE output of the
     * step graphs. No param or state can have it (the grammar keeps {@code step} from naming
     * one), nor an optimizer state's name ({@code opt.PATH.i}: path segments are identifiers).
     */
    public static final String STEP_COUNTER = "step";

    /** The graph name of the step of a block without step sub-blocks. */
    public static final String STEP = "step";

    /** Accepted values of {@code normalize}. */
    public static final List<String> NORMALIZATIONS = List.of("standardize", "minmax", "pixels");

    public TrainPlan {
        if (batch <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batch);
        if (epochs < 0) throw new IllegalArgumentException("epochs must be non-negative, got " + epochs);
        if (!(validation >= 0 && validation < 1))
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validation);
        if (patience < 0) throw new IllegalArgumentException("patience must be non-negative, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("min_delta must be non-negative, got " + minDelta);
        if (steps.isEmpty()) throw new IllegalArgumentException("a training plan needs at least one step graph");
        if (normalize != null && !NORMALIZATIONS.contains(normalize))
            throw new IllegalArgumentException("normalize must be one of " + NORMALIZATIONS + ", got '" + normalize + "'");
        steps = List.copyOf(steps);
    }

    /** Whether the plan names a test set. */
    public boolean hasTest() { return test != null; }

    /**
     * A data set and its arguments by name: {@code data fashion_mnist(split = "train")} is name
     * {@code fashion_mnist} with {@code split -> "train"}; {@code data moons(512)} has
     * {@code n -> 512} (the one positional argument is the sample count); {@code data "digits"} is
     * just a name. Values are Long, Double, Boolean, String or List of those, as written.
     */
    public record DataSet(String name, Map<String, Object> args) {
        public DataSet {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("a data set needs a name");
            args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }

        /** A data set without arguments. */
        public DataSet(String name) { this(name, Map.of()); }

        /** This set with argument {@code name} set to {@code value} (a Long, Double, Boolean or String). */
        public DataSet with(String name, Object value) {
            Map<String, Object> a = new LinkedHashMap<>(args);
            a.put(name, value);
            return new DataSet(this.name, a);
        }
    }

    /**
     * One step of an iteration.
     *
     * @param name           the step's name ({@code step} for a block without step sub-blocks)
     * @param graph          the name of its graph in the module
     * @param loss           the LOSS output of its graph, or null when it reports none
     * @param params         the params its optimizer updates (empty for a rule-only step)
     * @param optimizerState the names of its optimizer state tensors (init outputs, STATE inputs)
     * @param rules          the params it updates by the model's own {@code <-} rules
     */
    public record Step(String name, String graph, String loss, List<String> params, List<String> optimizerState,
                       List<String> rules) {
        public Step {
            params = List.copyOf(params);
            optimizerState = List.copyOf(optimizerState);
            rules = List.copyOf(rules);
        }

        /**
         * A step of a hand-built plan: graph {@code graph} minimizing {@code loss} over the params at
         * or below the paths {@code params} (empty: every param), with no optimizer state or rules.
         */
        public Step(String graph, String loss, List<String> params) {
            this(graph.startsWith(STEP + ".") ? graph.substring(STEP.length() + 1) : graph, graph, loss, params, List.of(), List.of());
        }

        /**
         * Whether this step trains param {@code path}: a path in {@link #params} or below one
         * ({@code disc} covers {@code disc.dense.w}); a step listing none counts every param.
         */
        public boolean trains(String path) {
            return params.isEmpty() || params.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "."));
        }
    }

    /**
     * Classification accuracy: argmax over the last axis of OUTPUT {@code output} compared with
     * the integer {@code labels} (an input or an output of the model) at every position, or only
     * where {@code mask} (an input or output of the labels' shape) is nonzero; {@code mask} is null
     * for plain accuracy. From {@code metric accuracy(probs, y)} or
     * {@code metric masked_accuracy(probs, y, mask)}, or by default (the front end follows the
     * loss's data flow). {@link #FIND} (output and labels null) is for hand-built plans: the
     * trainer takes the first integer input and the first output that scores it.
     */
    public record Metric(String name, String output, String labels, String mask) {
        /** Accuracy of a pair the trainer finds in the eval graph. */
        public static final Metric FIND = new Metric("accuracy", null, null, null);

        /** Plain accuracy, every position counted. */
        public Metric(String name, String output, String labels) { this(name, output, labels, null); }
    }

    /** A builder of a hand-made plan, with a block's defaults: batch 32, 10 epochs, seed 0, validation 0.1, one step {@code step}. */
    public static Builder builder(String model, DataSet data) { return new Builder(model, data); }

    /** A builder holding this plan's values, to change some (a checkpoint's seed, the command line's). */
    public Builder toBuilder() {
        Builder b = new Builder(model, data);
        b.test = test; b.normalize = normalize; b.batch = batch; b.epochs = epochs; b.seed = seed;
        b.validation = validation; b.patience = patience; b.minDelta = minDelta; b.steps = new ArrayList<>(steps); b.metric = metric;
        return b;
    }

    /** Mutable builder of a {@link TrainPlan}; {@link #build} checks the values. */
    public static final class Builder {
        private final String model;
        private DataSet data, test;
        private String normalize;
        private int batch = 32, epochs = 10, patience = 0;
        private long seed = 0;
        private double validation = 0.1, minDelta = 0;
        private List<Step> steps = new ArrayList<>(List.of(new Step(STEP, "loss", List.of())));
        private Metric metric = Metric.FIND;

        private Builder(String model, DataSet data) { this.model = model; this.data = data; }

        public Builder data(DataSet d) { this.data = d; return this; }
        public Builder test(DataSet t) { this.test = t; return this; }
        public Builder normalize(String how) { this.normalize = how; return this; }
        public Builder batch(int b) { this.batch = b; return this; }
        public Builder epochs(int e) { this.epochs = e; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        public Builder validation(double f) { this.validation = f; return this; }
        public Builder earlyStopping(int patience, double minDelta) { this.patience = patience; this.minDelta = minDelta; return this; }
        public Builder steps(List<Step> s) { this.steps = new ArrayList<>(s); return this; }
        /** The metric (null: none). */
        public Builder metric(Metric m) { this.metric = m; return this; }

        public TrainPlan build() {
            return new TrainPlan(model, data, test, normalize, batch, epochs, seed, validation, patience, minDelta, steps, metric);
        }
    }
}
