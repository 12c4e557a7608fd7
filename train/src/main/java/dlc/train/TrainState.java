package dlc.train;

import dlc.ir.eval.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training run stands: every tensor the init graph produced (parameters, model state,
 * optimizer state, the step counter), as updated so far, and the counters that fix what comes next
 * (epoch, batch within it, batches done overall) plus early stopping's memory. Together with the
 * plan's seed this is everything a resumed run needs to continue exactly.
 */
public final class TrainState {
    /** Tensors by name, in the init graph's output order. */
    public final Map<String, Tensor> values;
    /** The seed every random key and shuffle derives from. */
    public long seed;
    /** The epoch being run (the next one, at an epoch boundary). */
    public int epoch;
    /** The next batch within {@link #epoch}. */
    public int batch;
    /** Batches done since the start; the random key of the next batch derives from it. */
    public long globalBatch;
    /** Best validation loss so far (+inf before the first validation). */
    public double bestLoss = Double.POSITIVE_INFINITY;
    /** The epoch (1-based count) that gave {@link #bestLoss}, 0 before any. */
    public int bestEpoch;
    /** Epochs since the last improvement. */
    public int badEpochs;
    /** The tensors at {@link #bestEpoch}, which early stopping restores; null before any improvement. */
    public Map<String, Tensor> best;

    public TrainState(Map<String, Tensor> values, long seed) {
        this.values = new LinkedHashMap<>(values);
        this.seed = seed;
    }

    /** A copy of the tensors (tensors are immutable; the map is not). */
    public Map<String, Tensor> snapshot() { return new LinkedHashMap<>(values); }

    /** The tensor {@code name}. */
    public Tensor get(String name) {
        Tensor t = values.get(name);
        if (t == null) throw new IllegalArgumentException("training state has no tensor '" + name + "'; it has " + values.keySet());
        return t;
    }
}
