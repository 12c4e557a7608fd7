package dlc.train;

import dlc.checkpoint.Checkpoint;
import dlc.checkpoint.CheckpointException;
import dlc.checkpoint.SafeTensors;
import dlc.checkpoint.TensorSpec;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TrainState} as a safetensors checkpoint and back: every tensor of the state under its
 * own name (and, while early stopping remembers a best epoch, that epoch's tensors under
 * {@value #BEST_PREFIX}NAME, so a resumed run restores the same weights), and in the metadata the model name, the seed, the step, the epoch, the batch within
 * it, the random stream's position and early stopping's memory. Files are written atomically
 * ({@link SafeTensors#write}); reading checks every tensor's name, dtype and shape against what
 * the model's init graph produces, and the model name.
 */
public final class Checkpoints {
    public static final String SEED_KEY = "dlc.seed";
    public static final String BATCH_KEY = "dlc.batch";
    public static final String BEST_LOSS_KEY = "dlc.best_loss";
    public static final String BEST_EPOCH_KEY = "dlc.best_epoch";
    public static final String BAD_EPOCHS_KEY = "dlc.bad_epochs";

    /** Prefix of the best epoch's tensors. */
    public static final String BEST_PREFIX = "best.";

    private Checkpoints() {}

    /** Writes {@code state} of model {@code model} to {@code file}, atomically. */
    public static void write(Path file, TrainState state, String model) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.MODEL_KEY, model);
        meta.put(SEED_KEY, Long.toString(state.seed));
        meta.put(Checkpoint.STEP_KEY, Long.toString(state.globalBatch));
        meta.put(Checkpoint.EPOCH_KEY, Integer.toString(state.epoch));
        meta.put(BATCH_KEY, Integer.toString(state.batch));
        // The random key of batch k is fold(key(seed), k): the stream's position is the batch count.
        meta.put(Checkpoint.RNG_KEY, Long.toString(state.globalBatch));
        meta.put(BEST_LOSS_KEY, Double.toString(state.bestLoss));
        meta.put(BEST_EPOCH_KEY, Integer.toString(state.bestEpoch));
        meta.put(BAD_EPOCHS_KEY, Integer.toString(state.badEpochs));
        Map<String, Tensor> tensors = new LinkedHashMap<>(state.values);
        if (state.best != null) state.best.forEach((k, v) -> tensors.put(BEST_PREFIX + k, v));
        SafeTensors.write(file, new Checkpoint(tensors, meta));
    }

    /**
     * Reads a checkpoint to resume training: it must hold exactly the tensors {@code init} produces
     * (names, dtypes, shapes) and come from model {@code model}; a {@link CheckpointException} listing
     * every difference otherwise.
     */
    public static TrainState read(Path file, Graph init, String model) throws IOException {
        Checkpoint c = SafeTensors.read(file);
        checkModel(c, file, model);
        List<Named> expected = new ArrayList<>(init.outputs().stream().map(o -> new Named(o.name(), o.value().type())).toList());
        boolean hasBest = c.tensors().keySet().stream().anyMatch(k -> k.startsWith(BEST_PREFIX));
        if (hasBest) for (Graph.Output o : init.outputs()) expected.add(new Named(BEST_PREFIX + o.name(), o.value().type()));
        c.requireMatches(specs(expected), file.toString());
        TrainState s = new TrainState(c.tensors(), longMeta(c, file, SEED_KEY));
        // Every counter is range-checked, never narrowed: an edited or foreign file is an error
        // naming the field, not a crash or a run that silently skips epochs.
        s.globalBatch = longMeta(c, file, Checkpoint.STEP_KEY, 0, Long.MAX_VALUE);
        s.epoch = (int) longMeta(c, file, Checkpoint.EPOCH_KEY, 0, Integer.MAX_VALUE);
        s.batch = (int) longMeta(c, file, BATCH_KEY, 0, Integer.MAX_VALUE);
        s.bestLoss = doubleMeta(c, file, BEST_LOSS_KEY);
        if (Double.isNaN(s.bestLoss) || s.bestLoss == Double.NEGATIVE_INFINITY)
            throw new CheckpointException(file + ": metadata '" + BEST_LOSS_KEY + "' = " + s.bestLoss + " is not a loss (a number or Infinity)");
        s.bestEpoch = (int) longMeta(c, file, BEST_EPOCH_KEY, 0, s.epoch);
        s.badEpochs = (int) longMeta(c, file, BAD_EPOCHS_KEY, 0, s.epoch);
        if (s.globalBatch < s.batch)
            throw new CheckpointException(file + ": metadata '" + Checkpoint.STEP_KEY + "' = " + s.globalBatch + " counts fewer batches than '" + BATCH_KEY + "' = " + s.batch);
        // Keep the init graph's order, whatever order the file stored.
        Map<String, Tensor> ordered = new LinkedHashMap<>(), best = new LinkedHashMap<>();
        for (Graph.Output o : init.outputs()) {
            ordered.put(o.name(), c.tensor(o.name()));
            if (hasBest) best.put(o.name(), c.tensor(BEST_PREFIX + o.name()));
        }
        s.values.clear();
        s.values.putAll(ordered);
        s.best = hasBest ? best : null;
        return s;
    }

    /**
     * Reads the weights {@code graph} needs (its PARAM and STATE inputs) from a checkpoint, matched
     * by name, dtype and shape alone: the checkpoint may come from a model of another name, or from
     * one this model extends (more outputs, the same parameters), and may hold more tensors
     * (optimizer state, parameters this graph does not use), which are ignored. A missing tensor or
     * a wrong dtype or shape is a {@link CheckpointException} listing every difference: the missing,
     * the mismatched, and the checkpoint's parameters that nothing in the model matched (which, next
     * to a missing one, usually shows a renamed parameter).
     */
    public static Weights readWeights(Path file, Graph graph, String model) throws IOException {
        Checkpoint c = SafeTensors.read(file);
        checkModel(c, file, null);
        List<Value> wanted = new ArrayList<>(graph.inputs(Value.Role.PARAM));
        wanted.addAll(graph.inputs(Value.Role.STATE));
        List<String> problems = c.mismatches(specs(wanted.stream().map(v -> new Named(v.name(), v.type())).toList()))
                .stream().filter(m -> !m.startsWith("unexpected tensor")).toList();
        if (!problems.isEmpty()) {
            List<String> all = new ArrayList<>(problems);
            java.util.Set<String> used = new java.util.HashSet<>();
            for (Value v : wanted) used.add(v.name());
            for (Map.Entry<String, Tensor> e : c.tensors().entrySet())
                if (!used.contains(e.getKey()) && !bookkeeping(e.getKey()))
                    all.add("unexpected tensor '" + e.getKey() + "' (" + e.getValue().dtype() + java.util.Arrays.toString(e.getValue().shape())
                            + ") is not a weight of the model");
            String stored = c.meta(Checkpoint.MODEL_KEY);
            throw new CheckpointException(file + " (model " + stored + ") does not match the weights of " + (model == null ? "the model" : "model " + model)
                    + " (" + all.size() + " difference" + (all.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", all));
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Value v : wanted) m.put(v.name(), c.tensor(v.name()));
        long seed = longMeta(c, file, SEED_KEY);
        long epoch = longMeta(c, file, Checkpoint.EPOCH_KEY, 0, Integer.MAX_VALUE);
        return new Weights(m, seed, (int) epoch, c.meta(Checkpoint.MODEL_KEY));
    }

    /**
     * Whether a checkpoint tensor is training bookkeeping rather than a weight: the step counter,
     * optimizer state ({@code opt.PATH.i}) and early stopping's best-epoch copies.
     */
    private static boolean bookkeeping(String name) {
        return name.equals(TrainPlan.STEP_COUNTER) || name.startsWith("opt.") || name.startsWith(BEST_PREFIX);
    }

    /**
     * The tensors an eval graph reads, with the seed and epoch count of the run that wrote them and
     * the name of the model that run trained (which may differ from the model reading them).
     */
    public record Weights(Map<String, Tensor> tensors, long seed, int epoch, String model) {}

    private record Named(String name, TensorType type) {}

    private static List<TensorSpec> specs(List<Named> values) throws CheckpointException {
        List<TensorSpec> out = new ArrayList<>();
        for (Named n : values) {
            List<Dim> dims = n.type().shape().dims();
            if (!dims.stream().allMatch(Dim::isConst))
                throw new CheckpointException("cannot check a checkpoint against '" + n.name() + "' of symbolic type " + n.type());
            out.add(new TensorSpec(n.name(), n.type().dtype(), dims.stream().mapToInt(d -> (int) d.value()).toArray()));
        }
        return out;
    }

    private static void checkModel(Checkpoint c, Path file, String model) throws CheckpointException {
        String m = c.meta(Checkpoint.MODEL_KEY);
        if (m == null) throw new CheckpointException(file + " is not a dlc training checkpoint: it has no '" + Checkpoint.MODEL_KEY + "' metadata");
        if (model != null && !m.equals(model))
            throw new CheckpointException(file + " holds model '" + m + "', not '" + model + "'");
    }

    private static long longMeta(Checkpoint c, Path file, String key) throws CheckpointException {
        try {
            return c.metaLong(key);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
    }

    /** Metadata {@code key} as a long in [min, max]; a CheckpointException naming the field otherwise. */
    private static long longMeta(Checkpoint c, Path file, String key, long min, long max) throws CheckpointException {
        long v = longMeta(c, file, key);
        if (v < min || v > max)
            throw new CheckpointException(file + ": metadata '" + key + "' = " + v + " is out of range [" + min + ", " + max + "]");
        return v;
    }

    /**
     * Checks a batch position read from a checkpoint against the epoch it resumes: at most the
     * epoch's batch count ({@code batches}), so a resumed run never silently skips an epoch.
     */
    public static void checkBatch(Path file, TrainState s, int batches) throws CheckpointException {
        if (s.batch > batches)
            throw new CheckpointException(file + ": metadata '" + BATCH_KEY + "' = " + s.batch + " is past the end of the epoch (" + batches
                    + " batches with this data and batch size); resume with the data and batch size the checkpoint was trained with");
    }

    private static double doubleMeta(Checkpoint c, Path file, String key) throws CheckpointException {
        String v = c.meta(key);
        try {
            if (v == null) throw new NumberFormatException();
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": metadata '" + key + "' = '" + v + "' is not a number");
        }
    }
}
