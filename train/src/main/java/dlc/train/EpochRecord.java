package dlc.train;

import java.util.Map;

/**
 * What one epoch gave: the mean training loss of each step graph (by step graph name, in run
 * order), the validation metrics (NaN when there is no validation set), and the throughput.
 *
 * @param epoch 1-based epoch number
 */
public record EpochRecord(int epoch, Map<String, Double> trainLosses, double validationLoss, double validationAccuracy,
                          double samplesPerSecond) {
    public EpochRecord {
        trainLosses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(trainLosses));
    }

    /** The first step graph's mean training loss (the model's loss for a single-step model); NaN when no step reports a loss. */
    public double trainLoss() { return trainLosses.isEmpty() ? Double.NaN : trainLosses.values().iterator().next(); }
}
