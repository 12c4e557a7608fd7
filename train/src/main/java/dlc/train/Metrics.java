package dlc.train;

/**
 * Evaluation results over a data set: the mean loss per sample (batches weighted by their size),
 * and the accuracy when the model has a class output and class labels (NaN otherwise).
 */
public record Metrics(double loss, double accuracy, int samples) {
    public boolean hasAccuracy() { return !Double.isNaN(accuracy); }

    @Override public String toString() {
        return (Double.isNaN(loss) ? "no loss" : String.format("loss %.4f", loss)) + (hasAccuracy() ? String.format(", accuracy %.2f%%", 100 * accuracy) : "")
                + " (" + samples + " samples)";
    }
}
