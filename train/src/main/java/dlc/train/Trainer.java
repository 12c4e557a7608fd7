package dlc.train;

import dlc.data.Batches;
import dlc.data.Dataset;
import dlc.data.Normalizer;
import dlc.frontend.train.TrainPlan;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training loop: epochs of seeded, shuffled mini-batches; on each batch every step graph runs
 * in order (a GAN's discriminator then generator) and its UPDATE outputs replace the running
 * state; after each epoch the eval graph measures the validation set, early stopping keeps the best
 * weights, and a checkpoint is written.
 *
 * <p>Graph contract: {@code init(rng)} produces every state tensor by name (params, model state,
 * optimizer state, the step counter {@value #STEP_COUNTER}); a step graph takes the model inputs,
 * {@value #RNG}, and state tensors by name, and has LOSS, OUTPUT and UPDATE outputs; {@code eval}
 * takes the model inputs and PARAM/STATE tensors (and maybe {@value #RNG}) and has OUTPUT and LOSS.
 *
 * <p>Determinism: everything random derives from the plan's seed. Batch k (counted over the whole
 * run) gets the key {@code fold(trainKey, k)}; every step graph of the batch gets that key, and a
 * lowered step after the first folds its own index into it (so steps draw different numbers); epoch e shuffles by {@code Batches.permutation(n, seed, e)}. State is
 * rounded to its dtype after every step, as it is stored in a checkpoint, so resuming from a
 * checkpoint reproduces an uninterrupted run exactly.
 */
public final class Trainer {
    /** The random key input of init, step and eval graphs. */
    public static final String RNG = "rng";
    /** The step counter the init graph produces. */
    public static final String STEP_COUNTER = TrainPlan.STEP_COUNTER;

    private final Graph init;
    private final List<Graph> steps;
    private final Graph eval;
    private final String model;
    private final TrainPlan plan;
    private final Executor executor;
    private Progress progress = Progress.stderr();
    private Path checkpoint;
    private Dataset test;

    /** A trainer of explicit graphs (tests, or a caller that built its own step graphs). */
    public Trainer(Graph init, List<Graph> steps, Graph eval, String model, TrainPlan plan, Executor executor) {
        if (steps.isEmpty()) throw new IllegalArgumentException("no step graphs");
        this.init = init;
        this.steps = List.copyOf(steps);
        this.eval = eval;
        this.model = model;
        this.plan = plan;
        this.executor = executor;
    }

    /** A trainer of the plan's step graphs in {@code module}; a {@link TrainException} naming the module's graphs when one is missing. */
    public static Trainer of(Module module, TrainPlan plan, Executor executor) {
        List<Graph> steps = new ArrayList<>();
        for (TrainPlan.Step s : plan.steps()) steps.add(graph(module, s.graph()));
        return new Trainer(graph(module, "init"), steps, graph(module, "eval"), module.name(), plan, executor);
    }

    static Graph graph(Module module, String name) {
        return module.graph(name).orElseThrow(() -> new TrainException("model " + module.name() + " has no graph '" + name + "'; it has "
                + module.graphs().stream().map(Graph::name).toList()));
    }

    /** Reports progress here (default: stderr). */
    public Trainer progress(Progress p) { this.progress = p; return this; }

    /** Writes a checkpoint here after every epoch and at the end (null: none). */
    public Trainer checkpointTo(Path file) { this.checkpoint = file; return this; }

    /**
     * Measures this test set (as loaded: {@link #fit} normalizes it like the training data) after
     * every epoch and at the end; it is never trained on nor used for early stopping. Null: none.
     */
    public Trainer testOn(Dataset test) { this.test = test; return this; }

    public TrainPlan plan() { return plan; }

    public String model() { return model; }

    public Graph evalGraph() { return eval; }

    /** The state before any step: the init graph run with the seed's init key, rounded to each tensor's dtype. */
    public TrainState init() {
        Map<String, Tensor> out = executor.run(init, Map.of(RNG, key(Rng.fold(seedKey(plan.seed()), 1))));
        Map<String, Tensor> values = new LinkedHashMap<>();
        out.forEach((k, v) -> values.put(k, StoredPrecision.round(v)));
        return new TrainState(values, plan.seed());
    }

    /**
     * The outcome of {@link #fit}: the final state (the best weights when early stopping restored
     * them), the epochs run, and the metrics of the final state on the validation set (the
     * restored weights' after early stopping, not the last epoch's; null when there is no
     * validation set or no epoch ran) and on the test set ({@link #testOn}; null when there is
     * none or no epoch ran).
     */
    public record Result(TrainState state, List<EpochRecord> history, boolean stoppedEarly, Metrics validation, Metrics test) {
        /** A result without a test set. */
        public Result(TrainState state, List<EpochRecord> history, boolean stoppedEarly) { this(state, history, stoppedEarly, null, null); }
    }

    /**
     * Trains from {@code state} (fresh from {@link #init} or read from a checkpoint) until the plan's
     * epoch count, or until early stopping. {@code data} is split into training and validation parts
     * by the plan's validation fraction and the state's seed.
     */
    public Result fit(Dataset data, TrainState state) {
        Dataset.Split split = split(data, state.seed);
        Dataset train = split.train(), val = split.validation();
        Dataset testSet = test == null ? null : likeTraining(test, data, state.seed);
        if (train.size() == 0) throw new TrainException("no training samples: data set '" + data.name() + "' has " + data.size() + " samples");
        InputBinding binding = InputBinding.of(steps.get(0), train);
        for (Graph g : steps.subList(1, steps.size())) InputBinding.of(g, train);
        Evaluator evaluator = Evaluator.of(eval, executor, plan.metric());
        long trainKey = Rng.fold(seedKey(state.seed), 2), evalKey = Rng.fold(seedKey(state.seed), 3);
        boolean validate = val.size() > 0;
        boolean earlyStopping = validate && plan.patience() > 0 && evaluator.hasLoss();
        List<EpochRecord> history = new ArrayList<>();
        boolean stopped = false;
        Metrics testMetrics = null, valMetrics = null;
        weights(state.values); // the eval graph's params and state must be in the training state
        // The state lives where the executor computes (device memory for OpenCL) until the end;
        // state.values is refreshed from it only where the host needs the values (checkpoints,
        // early stopping's snapshot, the result).
        try (ResidentState resident = executor.resident(state.values)) {
            while (state.epoch < plan.epochs()) {
                Batches batches = Batches.shuffled(train, plan.batch(), state.seed, state.epoch, train.size() < plan.batch());
                progress.start("epoch " + (state.epoch + 1) + "/" + plan.epochs(), batches.count());
                Map<String, Double> lossSums = new LinkedHashMap<>();
                long samples = 0;
                long start = System.nanoTime();
                for (int b = state.batch; b < batches.count(); b++) {
                    Dataset batch = batches.batch(b);
                    Map<String, Double> losses = step(binding.feed(batch), state, resident, Rng.fold(trainKey, state.globalBatch));
                    losses.forEach((k, v) -> lossSums.merge(k, v * batch.size(), Double::sum));
                    samples += batch.size();
                    state.globalBatch++;
                    state.batch = b + 1;
                    progress.update(b + 1, samples, lossSums.isEmpty() ? Double.NaN : lossSums.values().iterator().next() / samples);
                }
                double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
                state.epoch++;
                state.batch = 0;
                Map<String, Double> means = new LinkedHashMap<>();
                for (Map.Entry<String, Double> e : lossSums.entrySet()) means.put(e.getKey(), e.getValue() / Math.max(1, samples));
                Metrics m = validate ? evaluator.evaluate(val, resident, plan.batch(), evalKey) : new Metrics(Double.NaN, Double.NaN, 0);
                if (validate) {
                    progress.message("  validation " + m);
                    valMetrics = m;
                }
                if (testSet != null) {
                    testMetrics = evaluator.evaluate(testSet, resident, plan.batch(), evalKey);
                    progress.message("  test " + testMetrics);
                }
                if (earlyStopping) {
                    if (m.loss() < state.bestLoss - plan.minDelta()) {
                        state.bestLoss = m.loss();
                        state.bestEpoch = state.epoch;
                        state.badEpochs = 0;
                        state.values.putAll(resident.read());
                        state.best = state.snapshot();
                    } else if (++state.badEpochs >= plan.patience()) {
                        stopped = true;
                    }
                }
                history.add(new EpochRecord(state.epoch, means, m.loss(), m.accuracy(), samples / seconds));
                if (stopped && state.best != null) {
                    progress.message("  early stopping: no improvement of the validation loss for " + state.badEpochs
                            + " epochs; restoring the weights of epoch " + state.bestEpoch);
                    state.values.clear();
                    state.values.putAll(state.best);
                    resident.put(state.best);
                    valMetrics = evaluator.evaluate(val, resident, plan.batch(), evalKey);
                    progress.message("  validation (epoch " + state.bestEpoch + "'s weights) " + valMetrics);
                    if (testSet != null) {
                        testMetrics = evaluator.evaluate(testSet, resident, plan.batch(), evalKey);
                        progress.message("  test (epoch " + state.bestEpoch + "'s weights) " + testMetrics);
                    }
                }
                if (checkpoint != null) state.values.putAll(resident.read());
                writeCheckpoint(state);
                if (stopped) break;
            }
            state.values.putAll(resident.read());
        }
        return new Result(state, history, stopped, valMetrics, testMetrics);
    }

    /**
     * The training and validation parts of {@code data} for a run with {@code seed}: held out by the
     * plan's fraction, and with the features normalized as the plan says, by statistics of the
     * training part only. {@code dlc eval} calls it to see the data exactly as training did.
     */
    public Dataset.Split split(Dataset data, long seed) {
        Dataset.Split s = data.split(plan.validation(), seed);
        Normalizer n = normalizer(s.train());
        return n == null ? s : new Dataset.Split(n.apply(s.train(), Dataset.FEATURES), n.apply(s.validation(), Dataset.FEATURES));
    }

    /** All of {@code data}, normalized as {@link #split} normalizes it (by the training part's statistics). */
    public Dataset whole(Dataset data, long seed) {
        Normalizer n = normalizer(data.split(plan.validation(), seed).train());
        return n == null ? data : n.apply(data, Dataset.FEATURES);
    }

    /**
     * {@code other} (a test set) normalized as {@link #split} normalizes {@code data}: by the
     * statistics of {@code data}'s training part for {@code seed}; unchanged without normalization.
     */
    public Dataset likeTraining(Dataset other, Dataset data, long seed) {
        Normalizer n = normalizer(data.split(plan.validation(), seed).train());
        return n == null ? other : n.apply(other, Dataset.FEATURES);
    }

    private Normalizer normalizer(Dataset train) {
        if (plan.normalize() == null) return null;
        if (!train.has(Dataset.FEATURES) || !train.features().isFloat())
            throw new TrainException("normalize needs float features '" + Dataset.FEATURES + "'; data set '" + train.name() + "' has " + train.columnNames());
        return switch (plan.normalize()) {
            case "minmax" -> Normalizer.minMax(train.features(), true);
            case "pixels" -> pixels(train);
            default -> Normalizer.standardize(train.features(), true);
        };
    }

    /** 8-bit pixels to [0, 1] by the fixed 1/255; refused for data that are not 8-bit values (scaling them would be silently wrong). */
    private static Normalizer pixels(Dataset train) {
        var x = train.features();
        for (int i = 0; i < x.size(); i++)
            for (int j = 0; j < x.sampleSize(); j++) {
                double v = x.value(i, j);
                if (!(v >= 0 && v <= 255))
                    throw new TrainException("normalize=\"pixels\" divides 8-bit values by 255, but data set '" + train.name() + "' has the feature value "
                            + v + " (sample " + i + "); use \"minmax\" or \"standardize\" for other data");
            }
        return Normalizer.of(0f, 1f / 255f);
    }

    /** Runs every step graph on one batch, applies their updates to the resident state; returns each step's loss. */
    private Map<String, Double> step(Map<String, Tensor> batch, TrainState state, ResidentState resident, long batchKey) {
        Map<String, Double> losses = new LinkedHashMap<>();
        boolean counterUpdated = false;
        for (Graph g : steps) {
            Set<String> lossNames = new HashSet<>();
            for (Graph.Output o : g.outputs()) {
                if (o.role() == Graph.Output.Role.LOSS) lossNames.add(o.name());
                if (o.role() != Graph.Output.Role.UPDATE) continue;
                if (!state.values.containsKey(o.name()))
                    throw new TrainException("step graph " + g.name() + " updates '" + o.name() + "', which the init graph does not produce");
                counterUpdated |= o.name().equals(STEP_COUNTER);
            }
            Map<String, Tensor> in = new HashMap<>(batch);
            in.put(RNG, key(batchKey)); // a step after the first folds its index into the key itself
            Map<String, Tensor> out = resident.run(g, in, lossNames, true);
            for (Graph.Output o : g.outputs()) {
                if (o.role() != Graph.Output.Role.LOSS) continue;
                double l = out.get(o.name()).item();
                if (!Double.isFinite(l))
                    throw new TrainException("the loss of step graph " + g.name() + " is " + l + " at epoch " + (state.epoch + 1) + ", batch "
                            + (state.batch + 1) + "; try a smaller learning rate");
                losses.put(g.name(), l);
            }
        }
        // a counter no step updates is counted here; state.values holds it, since only the host writes it
        Tensor counter = state.values.get(STEP_COUNTER);
        if (!counterUpdated && counter != null) {
            Tensor next = Tensor.scalar(counter.dtype(), counter.item() + 1);
            state.values.put(STEP_COUNTER, next);
            resident.put(Map.of(STEP_COUNTER, next));
        }
        return losses;
    }

    /** The tensors the eval graph reads: its PARAM and STATE inputs. */
    Map<String, Tensor> weights(Map<String, Tensor> values) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (Value v : eval.inputs())
            if (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) {
                Tensor t = values.get(v.name());
                if (t == null) throw new TrainException("the eval graph reads '" + v.name() + "', which the training state lacks; it has " + values.keySet());
                w.put(v.name(), t);
            }
        return w;
    }

    /** Metrics of {@code weights} on {@code data} with the eval graph. */
    public Metrics evaluate(Dataset data, Map<String, Tensor> weights) {
        return Evaluator.of(eval, executor, plan.metric())
                .evaluate(data, weights, plan.batch(), Rng.fold(seedKey(plan.seed()), 3));
    }

    private void writeCheckpoint(TrainState state) {
        if (checkpoint == null) return;
        try {
            Checkpoints.write(checkpoint, state, model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** The root key of a seed (any long; keys must be below 2^52). */
    static long seedKey(long seed) { return Rng.fold(seed, 0); }

    /** A random key as the i64 scalar graphs take. */
    static Tensor key(long k) { return Tensor.scalar(DType.I64, k); }
}
