package dlc.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run is told from outside the graphs: the data, the batch size and epoch
 * count, the seed, the validation split and normalization, early stopping, the step graphs to run
 * on each batch (in order) and which output/label pair gives accuracy. (The optimizer and its
 * learning rate are compiled into the step graphs.)
 *
 * @param dataset       data set name ({@code moons}, {@code csv}, {@code fashion_mnist}, ...; see {@link Datasets})
 * @param dataArgs      the data set's arguments as source text by name ({@code n -> "512"})
 * @param batch         mini-batch size, positive
 * @param epochs        number of epochs, non-negative
 * @param seed          seeds initialization, shuffling, the validation split and every step's random key
 * @param validationFraction share of the data held out for validation, in [0, 1)
 * @param patience      epochs without a validation improvement before stopping; 0 turns early stopping off
 * @param minDelta      how much the validation loss must fall to count as an improvement
 * @param steps         the step graphs run on every batch, in order
 * @param accuracyOutput the model output compared with {@code accuracyLabel} by argmax, null for "find one",
 *                       {@link #NO_ACCURACY} for none
 * @param accuracyLabel  the labels holding class indices (an input, or an output of the eval graph), or null for "find one"
 * @param accuracyMask   an input or output of the labels' shape: only labels where it is nonzero count (masked
 *                       accuracy of padded sequences); null counts every label
 * @param normalize     how the features {@code x} are normalized, with statistics of the training split:
 *                      {@code standardize} or {@code minmax} (per feature, fitted on the training split),
 *                      {@code pixels} (8-bit values divided by 255, fitted on nothing), or null for as loaded
 * @param testDataset   a test set measured after every epoch and at the end but never trained on
 *                      (Fashion-MNIST's t10k part), or null for none; normalized like the training data
 * @param testArgs      the test set's arguments as source text by name
 */
public record TrainPlan(String dataset, Map<String, String> dataArgs, int batch, int epochs, long seed,
                        double validationFraction, int patience, double minDelta, List<Step> steps,
                        String accuracyOutput, String accuracyLabel, String accuracyMask, String normalize,
                        String testDataset, Map<String, String> testArgs) {
    /** As both accuracy names: the model has no accuracy metric (the block said {@code metric none}, or none applies). */
    public static final String NO_ACCURACY = "";

    /** Accepted values of {@code normalize}. */
    public static final List<String> NORMALIZATIONS = List.of("standardize", "minmax", "pixels");

    /** The graph name of a single-step model. */
    public static final String STEP = "step";

    /**
     * One train-step graph, the loss it minimizes, and the parameter path prefixes it trains
     * (empty: every parameter). A prefix matches a path equal to it or followed by a '.'.
     */
    public record Step(String graph, String loss, List<String> params) {
        public Step {
            params = List.copyOf(params);
        }

        /** Whether this step trains parameter {@code path}. */
        public boolean trains(String path) {
            return params.isEmpty() || params.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "."));
        }
    }

    public TrainPlan {
        if (dataset == null || dataset.isEmpty()) throw new IllegalArgumentException("a training plan needs a data set");
        if (batch <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batch);
        if (epochs < 0) throw new IllegalArgumentException("epochs must be non-negative, got " + epochs);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        if (patience < 0) throw new IllegalArgumentException("patience must be non-negative, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("min_delta must be non-negative, got " + minDelta);
        if (steps.isEmpty()) throw new IllegalArgumentException("a training plan needs at least one step graph");
        if (normalize != null && !NORMALIZATIONS.contains(normalize))
            throw new IllegalArgumentException("normalize must be one of " + NORMALIZATIONS + ", got '" + normalize + "'");
        if (testDataset != null && testDataset.isEmpty()) throw new IllegalArgumentException("an empty test set name");
        dataArgs = Map.copyOf(dataArgs);
        testArgs = Map.copyOf(testArgs);
        steps = List.copyOf(steps);
    }

    /** Whether the plan names a test set. */
    public boolean hasTest() { return testDataset != null; }

    /** A builder with defaults: batch 32, 10 epochs, seed 0, validation 0.1, no early stopping, one step graph {@code step}. */
    public static Builder builder(String dataset) { return new Builder(dataset); }

    /** A builder holding this plan's values. */
    public Builder toBuilder() {
        Builder b = new Builder(dataset);
        b.dataArgs.putAll(dataArgs);
        b.batch = batch; b.epochs = epochs; b.seed = seed;
        b.validationFraction = validationFraction; b.patience = patience; b.minDelta = minDelta;
        b.steps = new ArrayList<>(steps); b.accuracyOutput = accuracyOutput; b.accuracyLabel = accuracyLabel; b.accuracyMask = accuracyMask;
        b.normalize = normalize;
        b.testDataset = testDataset;
        b.testArgs.putAll(testArgs);
        return b;
    }

    /** Mutable builder of a {@link TrainPlan}. */
    public static final class Builder {
        private String dataset;
        private final Map<String, String> dataArgs = new LinkedHashMap<>();
        private int batch = 32, epochs = 10, patience = 0;
        private long seed = 0;
        private double validationFraction = 0.1, minDelta = 0;
        private List<Step> steps = new ArrayList<>(List.of(new Step(STEP, "loss", List.of())));
        private String accuracyOutput, accuracyLabel, accuracyMask, normalize, testDataset;
        private final Map<String, String> testArgs = new LinkedHashMap<>();

        private Builder(String dataset) { this.dataset = dataset; }

        public Builder dataset(String name) { this.dataset = name; return this; }
        /** A data set argument; {@code normalize} is the trainer's, not the loader's, and sets {@link #normalize}. */
        public Builder dataArg(String name, String value) {
            if (name.equals("normalize")) return normalize(value.replace("\"", ""));
            dataArgs.put(name, value);
            return this;
        }
        public Builder normalize(String how) { this.normalize = how; return this; }
        /** The test set's name (null: none). */
        public Builder test(String name) { this.testDataset = name; return this; }
        /**
         * A test set argument. {@code normalize} is refused: the test set is normalized with the
         * training data's statistics, as the model saw its inputs in training.
         */
        public Builder testArg(String name, String value) {
            if (name.equals("normalize"))
                throw new IllegalArgumentException("the test set takes no normalize argument: it is normalized like the training data (give normalize on data)");
            testArgs.put(name, value);
            return this;
        }
        public Builder batch(int b) { this.batch = b; return this; }
        public Builder epochs(int e) { this.epochs = e; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        public Builder validationFraction(double f) { this.validationFraction = f; return this; }
        public Builder earlyStopping(int patience, double minDelta) { this.patience = patience; this.minDelta = minDelta; return this; }
        public Builder steps(List<Step> s) { this.steps = new ArrayList<>(s); return this; }
        public Builder accuracy(String output, String label) { return accuracy(output, label, null); }
        /** Accuracy counted only where {@code mask} is nonzero (null: everywhere). */
        public Builder accuracy(String output, String label, String mask) {
            this.accuracyOutput = output; this.accuracyLabel = label; this.accuracyMask = mask;
            return this;
        }

        public TrainPlan build() {
            return new TrainPlan(dataset, dataArgs, batch, epochs, seed, validationFraction, patience, minDelta, steps,
                    accuracyOutput, accuracyLabel, accuracyMask, normalize, testDataset, testArgs);
        }
    }
}
