package dlc.frontend.train;

import java.util.List;
import java.util.Map;

/**
 * What a {@code train} block tells the trainer, as plain Java values, next to the step graphs
 * that {@link TrainLowering} adds to the module.
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
 * @param data       the {@code data} setting, or null when the block has none
 * @param test       the {@code test} setting: a held-apart test set (same form as {@code data}) the
 *                   trainer measures after every epoch and at the end, never trains on; null when none
 * @param batch      samples per step (default 32)
 * @param epochs     passes over the training data (default 10)
 * @param seed       seeds init, shuffling and the per-step random keys (default 0)
 * @param validation fraction of the data held out for per-epoch validation (default 0.1)
 * @param patience   epochs without improvement before early stopping; 0 disables it (default 0)
 * @param minDelta   the least decrease of the validation loss that counts as an improvement (default 0)
 * @param steps      the steps of one iteration, in order
 * @param metric     the classification metric, or null when none applies
 */
public record TrainConfig(String model, Data data, Data test, int batch, int epochs, long seed, double validation, int patience,
                          double minDelta, List<Step> steps, Metric metric) {
    /**
     * The name of the iteration counter: an init output, a STATE input and UPDATE output of the
     * step graphs. No param or state can have it (the grammar keeps {@code step} from naming
     * one), nor an optimizer state's name ({@code opt.PATH.i}: path segments are identifiers).
     */
    public static final String STEP_COUNTER = "step";

    public TrainConfig {
        steps = List.copyOf(steps);
    }

    /**
     * The {@code data} setting: {@code data fashion_mnist(split = "train")} is name
     * {@code fashion_mnist} with option {@code split -> "train"}; {@code data "digits"} is just a
     * name. Argument values are Long, Double, Boolean, String or List of those.
     */
    public record Data(String name, List<Object> args, Map<String, Object> options) {
        public Data {
            args = List.copyOf(args);
            options = Map.copyOf(options);
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
    }

    /**
     * Classification accuracy: argmax over the last axis of OUTPUT {@code output} compared with
     * the integer {@code labels} (an input or an output of the model) at every position, or only
     * where {@code mask} (an input or output of the labels' shape) is nonzero; {@code mask} is null
     * for plain accuracy. From {@code metric accuracy(probs, y)} or
     * {@code metric masked_accuracy(probs, y, mask)}, or by default (see {@code Metrics}).
     */
    public record Metric(String name, String output, String labels, String mask) {
        /** Plain accuracy, every position counted. */
        public Metric(String name, String output, String labels) { this(name, output, labels, null); }
    }
}
