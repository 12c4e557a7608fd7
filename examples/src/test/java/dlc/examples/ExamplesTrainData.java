package dlc.examples;

import dlc.data.Column;
import dlc.data.Dataset;

import java.util.Random;

/** Tiny synthetic data sets for {@link ExamplesTrainTest}, sized for the float64 interpreter. */
final class ExamplesTrainData {
    private ExamplesTrainData() {}

    static final int SIDE = 28;

    /**
     * Bright-quadrant images [n, channels, side, side]: uniform noise in [0, 0.4) everywhere, plus
     * 0.6 on the quadrant named by the label (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right),
     * in every channel.
     */
    static Dataset brightQuadrant(int n, int channels, int side, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * channels * side * side];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(4);
            for (int c = 0; c < channels; c++)
                for (int row = 0; row < side; row++)
                    for (int col = 0; col < side; col++) {
                        int q = (row < side / 2 ? 0 : 2) + (col < side / 2 ? 0 : 1);
                        x[((i * channels + c) * side + row) * side + col] = (float) (0.4 * r.nextDouble() + (q == y[i] ? 0.6 : 0));
                    }
        }
        return Dataset.classification("bright_quadrant", Column.floats(Dataset.FEATURES, x, channels, side, side), Column.ints(Dataset.LABELS, y), 4);
    }

    /** Binary images [n, 1, 28, 28]: each quadrant is all ones with probability 1/2, else all zeros. */
    static Dataset quadrantUnions(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            boolean[] on = new boolean[4];
            for (int q = 0; q < 4; q++) on[q] = r.nextBoolean();
            for (int row = 0; row < SIDE; row++)
                for (int col = 0; col < SIDE; col++)
                    x[(i * SIDE + row) * SIDE + col] = on[quadrant(row, col)] ? 1f : 0f;
        }
        return Dataset.of("quadrant_unions", Column.floats(Dataset.FEATURES, x, 1, SIDE, SIDE));
    }

    private static int quadrant(int row, int col) { return (row < SIDE / 2 ? 0 : 2) + (col < SIDE / 2 ? 0 : 1); }

    /**
     * The recall task for a language model, as one column {@code tokens} [n, T]: a key token from
     * {2..1+keys} first, then T-2 filler tokens drawn from {2+keys..1+keys+fillers}, then the key
     * again. Predicting the last token needs the first one: a model that sees only the previous
     * token (a filler, independent of the key) is at chance 1/keys there.
     */
    static Dataset recall(int n, int length, int keys, int fillers, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n * length];
        for (int i = 0; i < n; i++) {
            int key = 2 + r.nextInt(keys);
            t[i * length] = key;
            for (int s = 1; s < length - 1; s++) t[i * length + s] = 2 + keys + r.nextInt(fillers);
            t[i * length + length - 1] = key;
        }
        return Dataset.of("recall", Column.ints("tokens", t, length));
    }

    /** Begin- and end-of-sequence token of {@link #reversal}. */
    static final int BOS = 1;

    /**
     * Sequence reversal for an encoder-decoder: src [n, L] random tokens from [2, vocab);
     * tgt_out [n, L+1] the reversed source then {@link #BOS} as the end token; tgt_in [n, L+1]
     * the teacher-forced input ({@link #BOS}, then tgt_out shifted right); tgt_mask all ones. The
     * earlier target tokens are independent of the next one, so only the source can tell it.
     */
    static Dataset reversal(int n, int length, int vocab, long seed) {
        Random r = new Random(seed);
        int t = length + 1;
        int[] src = new int[n * length], in = new int[n * t], out = new int[n * t];
        float[] mask = new float[n * t];
        java.util.Arrays.fill(mask, 1f);
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < length; s++) src[i * length + s] = 2 + r.nextInt(vocab - 2);
            for (int s = 0; s < length; s++) out[i * t + s] = src[i * length + length - 1 - s];
            out[i * t + length] = BOS;
            in[i * t] = BOS;
            for (int s = 1; s < t; s++) in[i * t + s] = out[i * t + s - 1];
        }
        return Dataset.of("reversal", Column.ints("src", src, length), Column.ints("tgt_in", in, t),
                Column.ints("tgt_out", out, t), Column.floats("tgt_mask", mask, t));
    }
}
