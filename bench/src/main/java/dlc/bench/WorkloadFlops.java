package dlc.bench;

/**
 * Floating-point operations of one step of each peer workload, counted from the networks'
 * definitions (the peers' MLP 784-256-128-10, CNN conv3x3x32-pool-conv3x3x64-pool-fc128-fc10 on
 * 1x28x28, LSTM 32->128 over 50 steps with a 10-way head on the last state). Only the contractions
 * count (2 FLOPs a multiply-add); elementwise work is a few percent of them. A training step is the
 * forward pass, the weight gradients (as many FLOPs as the forward pass) and the input gradients of
 * every layer but the first (whose input needs none).
 *
 * <p>Dividing these by a step's time and by the GEMM rate of the same run gives the share of the
 * machine's GEMM limit a workload reaches: the figure that says how much faster it could get.
 */
final class WorkloadFlops {
    private WorkloadFlops() {}

    private static final double MLP_FIRST = 2.0 * 784 * 256;
    private static final double MLP_REST = 2.0 * (256 * 128 + 128 * 10);
    private static final double CNN_FIRST = 2.0 * 28 * 28 * 32 * 9;                 // conv1, one input channel
    private static final double CNN_REST = 2.0 * (14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10);
    private static final int LSTM_STEPS = 50, LSTM_IN = 32, LSTM_HIDDEN = 128;
    private static final double LSTM_X = 2.0 * LSTM_STEPS * LSTM_IN * 4 * LSTM_HIDDEN;       // x_t @ W_x, all steps
    private static final double LSTM_H = 2.0 * LSTM_STEPS * LSTM_HIDDEN * 4 * LSTM_HIDDEN;   // h_{t-1} @ W_h, all steps
    private static final double LSTM_HEAD = 2.0 * LSTM_HIDDEN * 10;

    /** FLOPs of one step of {@code workload} ("mlp", "cnn", "lstm") and {@code metric} ("train-b128", "infer-b1", ...), or NaN when unknown. */
    static double of(String workload, String metric) {
        int dash = metric.lastIndexOf("-b");
        if (dash < 0) return Double.NaN;
        boolean train = metric.startsWith("train");
        double batch;
        try {
            batch = Integer.parseInt(metric.substring(dash + 2));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
        double first, rest;
        switch (workload) {
            case "mlp" -> { first = MLP_FIRST; rest = MLP_REST; }
            case "cnn" -> { first = CNN_FIRST; rest = CNN_REST; }
            case "lstm" -> { first = LSTM_X; rest = LSTM_H + LSTM_HEAD; }
            default -> { return Double.NaN; }
        }
        double forward = first + rest;
        return batch * (train ? 2 * forward + rest : forward);
    }
}
