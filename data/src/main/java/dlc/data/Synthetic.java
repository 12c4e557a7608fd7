package dlc.data;

import java.util.List;

/**
 * Built-in synthetic data sets, so a fresh machine can train without downloads. Each is a pure
 * function of its arguments: the same seed gives bit-identical data on any JVM ({@link Rng}). Class
 * sets assign sample {@code i} to class {@code i mod k}, so every prefix is balanced.
 */
public final class Synthetic {
    private Synthetic() {}

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("moons", "spirals", "sine", "copy", "xor", "blobs", "markov", "reverse", "gratings");

    /**
     * A built-in set with default parameters: {@code moons} (noise 0.1), {@code spirals} (3 arms),
     * {@code sine} (T = 20), {@code copy} (length 8, vocabulary 10), {@code xor}, {@code blobs} (3 in 2-D).
     * {@code markov} (length 20, vocabulary 50), {@code reverse} (length 8, vocabulary 32),
     * {@code gratings} (10 classes, 3 x 16 x 16, noise 0.3).
     * {@code two_moons} is accepted for {@code moons}, as the examples spell it.
     */
    public static Dataset byName(String name, int n, long seed) {
        return switch (name) {
            case "moons", "two_moons" -> twoMoons(n, 0.1, seed);
            case "spirals" -> spirals(n, 3, 0.05, seed);
            case "sine" -> sineSequences(n, 20, 0.05, seed);
            case "copy" -> copyTask(n, 8, 10, seed);
            case "xor" -> xor(n, 0.1, seed);
            case "blobs" -> blobs(n, 3, 2, 0.5, seed);
            case "markov" -> markov(n, 20, 50, seed);
            case "reverse" -> reverse(n, 8, 32, seed);
            case "gratings" -> gratings(n, 10, 16, 0.3, seed);
            default -> throw new IllegalArgumentException("no built-in data set '" + name + "'; built-in sets are " + NAMES);
        };
    }

    /**
     * Two interleaved half circles (as scikit-learn's make_moons): class 0 on
     * {@code (cos t, sin t)}, class 1 on {@code (1 - cos t, 1/2 - sin t)}, t uniform in [0, pi], plus
     * Gaussian noise of standard deviation {@code noise} on each coordinate. x: [N, 2] f32, y: [N] i32.
     */
    public static Dataset twoMoons(int n, double noise, long seed) {
        checkCount(n);
        Rng rng = new Rng(seed);
        float[] x = new float[values(2, n)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            double t = rng.uniform(0, Math.PI);
            double px = c == 0 ? Math.cos(t) : 1 - Math.cos(t), py = c == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
            x[2 * i] = (float) (px + noise * rng.nextGaussian());
            x[2 * i + 1] = (float) (py + noise * rng.nextGaussian());
            y[i] = c;
        }
        return classes("moons", x, 2, y, 2);
    }

    /**
     * {@code arms} interleaved spiral arms: arm c at radius r in [0.05, 1] has angle
     * {@code 2 pi c / arms + 4 r} (about two thirds of a turn), plus Gaussian noise. x: [N, 2], y: [N].
     */
    public static Dataset spirals(int n, int arms, double noise, long seed) {
        checkCount(n);
        if (arms < 2) throw new IllegalArgumentException("spirals need at least 2 arms, got " + arms);
        Rng rng = new Rng(seed);
        float[] x = new float[values(2, n)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % arms;
            double r = rng.uniform(0.05, 1);
            double a = 2 * Math.PI * c / arms + 4 * r;
            x[2 * i] = (float) (r * Math.cos(a) + noise * rng.nextGaussian());
            x[2 * i + 1] = (float) (r * Math.sin(a) + noise * rng.nextGaussian());
            y[i] = c;
        }
        return classes("spirals", x, 2, y, arms);
    }

    /**
     * Noisy sine sequences for next-value regression: sample i is {@code a sin(w t + p)} at
     * t = 0..steps (amplitude a in [0.5, 1.5], frequency w in [0.1, 0.5] radians per step, phase p in
     * [0, 2 pi)). x: [N, steps, 1] f32, the first {@code steps} values plus Gaussian noise of std
     * {@code noise} ([B, T, F] layout); y: [N, 1] f32, the noise-free value at t = steps.
     */
    public static Dataset sineSequences(int n, int steps, double noise, long seed) {
        checkCount(n);
        if (steps < 1) throw new IllegalArgumentException("sine sequences need at least 1 step, got " + steps);
        Rng rng = new Rng(seed);
        float[] x = new float[values(n, steps)];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double a = rng.uniform(0.5, 1.5), w = rng.uniform(0.1, 0.5), p = rng.uniform(0, 2 * Math.PI);
            for (int t = 0; t < steps; t++) x[i * steps + t] = (float) (a * Math.sin(w * t + p) + noise * rng.nextGaussian());
            y[i] = (float) (a * Math.sin(w * steps + p));
        }
        return Dataset.of("sine", Column.floats(Dataset.FEATURES, x, steps, 1), Column.floats(Dataset.LABELS, y, 1));
    }

    /** Padding token of {@link #copyTask}. */
    public static final int PAD = 0;
    /** Delimiter token of {@link #copyTask}. */
    public static final int DELIMITER = 1;

    /**
     * The sequence-copy task: {@code length} random tokens from [2, vocab), then {@link #DELIMITER},
     * then {@code length} {@link #PAD}s; the model must output the tokens at the positions after the
     * delimiter. The inputs after the delimiter carry no information, so a causal or a bidirectional
     * model must both remember. x: [N, 2L+1] i32 tokens; y: [N, 2L+1] i32 targets (the copied tokens at
     * positions L+1..2L, PAD elsewhere); mask: [N, 2L+1] f32, 1 where the loss counts.
     */
    public static Dataset copyTask(int n, int length, int vocab, long seed) {
        checkCount(n);
        if (length < 1) throw new IllegalArgumentException("copy task needs length >= 1, got " + length);
        if (vocab < 3) throw new IllegalArgumentException("copy task needs a vocabulary of at least 3 (pad, delimiter, a token), got " + vocab);
        Rng rng = new Rng(seed);
        int w = values(2, length) + 1;
        int[] x = new int[values(n, w)], y = new int[values(n, w)];
        float[] mask = new float[values(n, w)];
        for (int i = 0; i < n; i++) {
            int base = i * w;
            x[base + length] = DELIMITER;
            for (int t = 0; t < length; t++) {
                int tok = 2 + rng.nextInt(vocab - 2);
                x[base + t] = tok;
                y[base + length + 1 + t] = tok;
                mask[base + length + 1 + t] = 1;
            }
        }
        return Dataset.of("copy", Column.ints(Dataset.FEATURES, x, w), Column.ints(Dataset.LABELS, y, w), Column.floats("mask", mask, w));
    }

    /**
     * XOR: points uniform in [-1, 1]^2 plus Gaussian noise, class 1 when the clean coordinates have
     * opposite signs. x: [N, 2], y: [N].
     */
    public static Dataset xor(int n, double noise, long seed) {
        checkCount(n);
        Rng rng = new Rng(seed);
        float[] x = new float[values(2, n)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            // Draw the quadrant from the class so that classes stay balanced.
            double sx = rng.nextInt(2) == 0 ? -1 : 1, sy = c == 1 ? -sx : sx;
            x[2 * i] = (float) (sx * rng.uniform(0, 1) + noise * rng.nextGaussian());
            x[2 * i + 1] = (float) (sy * rng.uniform(0, 1) + noise * rng.nextGaussian());
            y[i] = c;
        }
        return classes("xor", x, 2, y, 2);
    }

    /**
     * {@code k} Gaussian blobs in {@code dim} dimensions: centres uniform in [-3, 3]^dim (drawn first
     * from the seed), samples with standard deviation {@code spread}. x: [N, dim], y: [N].
     */
    public static Dataset blobs(int n, int k, int dim, double spread, long seed) {
        checkCount(n);
        if (k < 1 || dim < 1) throw new IllegalArgumentException("blobs need k >= 1 and dim >= 1, got k=" + k + ", dim=" + dim);
        Rng rng = new Rng(seed);
        double[] centres = new double[k * dim];
        for (int i = 0; i < centres.length; i++) centres[i] = rng.uniform(-3, 3);
        float[] x = new float[values(n, dim)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            for (int d = 0; d < dim; d++) x[i * dim + d] = (float) (centres[c * dim + d] + spread * rng.nextGaussian());
            y[i] = c;
        }
        return classes("blobs", x, dim, y, k);
    }

    /** Successors per token in {@link #markov}'s chain. */
    public static final int MARKOV_BRANCHES = 2;

    /**
     * Token sequences of a random sparse bigram chain, for language models: every token has
     * {@link #MARKOV_BRANCHES} distinct successors (drawn first from the seed, the same for every
     * sequence) and moves to one of them with equal probability; a sequence starts at a uniform token.
     * A model that learns the chain reaches a next-token cross-entropy of ln 2 (about 0.69) against
     * ln vocab for guessing. tokens: [N, length] i32 in [0, vocab). Needs vocab >= 2.
     */
    public static Dataset markov(int n, int length, int vocab, long seed) {
        checkCount(n);
        if (length < 1) throw new IllegalArgumentException("markov sequences need length >= 1, got " + length);
        if (vocab < MARKOV_BRANCHES) throw new IllegalArgumentException("markov needs a vocabulary of at least " + MARKOV_BRANCHES + ", got " + vocab);
        Rng rng = new Rng(seed);
        int[] next = markovSuccessors(vocab, rng);
        int[] tokens = new int[values(n, length)];
        for (int i = 0; i < n; i++) {
            int tok = rng.nextInt(vocab);
            tokens[i * length] = tok;
            for (int t = 1; t < length; t++) {
                tok = next[tok * MARKOV_BRANCHES + rng.nextInt(MARKOV_BRANCHES)];
                tokens[i * length + t] = tok;
            }
        }
        return Dataset.of("markov", Column.ints("tokens", tokens, length));
    }

    /**
     * The successor table of {@link #markov}: row v holds v's {@link #MARKOV_BRANCHES} distinct
     * successors. Exposed so tests can check every transition of a sequence.
     */
    public static int[][] markovChain(int vocab, long seed) {
        if (vocab < MARKOV_BRANCHES) throw new IllegalArgumentException("markov needs a vocabulary of at least " + MARKOV_BRANCHES + ", got " + vocab);
        int[] flat = markovSuccessors(vocab, new Rng(seed));
        int[][] rows = new int[vocab][];
        for (int v = 0; v < vocab; v++) rows[v] = java.util.Arrays.copyOfRange(flat, v * MARKOV_BRANCHES, (v + 1) * MARKOV_BRANCHES);
        return rows;
    }

    private static int[] markovSuccessors(int vocab, Rng rng) {
        int[] next = new int[values(vocab, MARKOV_BRANCHES)];
        for (int v = 0; v < vocab; v++) {
            for (int b = 0; b < MARKOV_BRANCHES; b++) {
                int cand;
                boolean repeated;
                do { // redraw until distinct from the earlier successors of v
                    cand = rng.nextInt(vocab);
                    repeated = false;
                    for (int e = 0; e < b; e++) repeated |= next[v * MARKOV_BRANCHES + e] == cand;
                } while (repeated);
                next[v * MARKOV_BRANCHES + b] = cand;
            }
        }
        return next;
    }

    /** Beginning-of-sequence token of {@link #reverse} (padding is {@link #PAD}, 0). */
    public static final int BOS = 1;
    /** End-of-sequence token of {@link #reverse}. */
    public static final int EOS = 2;

    /**
     * A toy translation task: the target is the source reversed. Token ids: {@link #PAD} = 0 (unused
     * here, every sequence has the full length), {@link #BOS} = 1, {@link #EOS} = 2, words in
     * [3, vocab). Columns: {@code src} [N, S] i32 (S = length), {@code tgt_in} [N, S+1] i32
     * ({@code <bos>} then the reversed source, the decoder's teacher-forced input), {@code tgt_out}
     * [N, S+1] i32 (the reversed source then {@code <eos>}), {@code tgt_mask} [N, S+1] f32 (all ones).
     */
    public static Dataset reverse(int n, int length, int vocab, long seed) {
        checkCount(n);
        if (length < 1) throw new IllegalArgumentException("reverse task needs length >= 1, got " + length);
        if (vocab < 4) throw new IllegalArgumentException("reverse task needs a vocabulary of at least 4 (pad, bos, eos, a word), got " + vocab);
        Rng rng = new Rng(seed);
        int t = values(1, length) + 1;
        int[] src = new int[values(n, length)], tgtIn = new int[values(n, t)], tgtOut = new int[values(n, t)];
        float[] mask = new float[values(n, t)];
        java.util.Arrays.fill(mask, 1f);
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < length; s++) src[i * length + s] = 3 + rng.nextInt(vocab - 3);
            tgtIn[i * t] = BOS;
            for (int s = 0; s < length; s++) {
                int tok = src[i * length + length - 1 - s];
                tgtIn[i * t + 1 + s] = tok;
                tgtOut[i * t + s] = tok;
            }
            tgtOut[i * t + length] = EOS;
        }
        return Dataset.of("reverse", Column.ints("src", src, length), Column.ints("tgt_in", tgtIn, t),
                Column.ints("tgt_out", tgtOut, t), Column.floats("tgt_mask", mask, t));
    }

    /**
     * Small colour images for image classifiers: class c of k is a sinusoidal grating at angle
     * {@code pi c / k} (period 4 pixels, random phase) on a class tint
     * {@code 0.5 cos(2 pi c / k + 2 pi ch / 3)} per channel ch, plus Gaussian noise of std
     * {@code noise}. Both cues survive a global average pool (the tint directly, the orientation
     * through oriented filters), so a small conv net learns it. x: [N, 3, size, size] f32 (NCHW), y: [N] i32.
     */
    public static Dataset gratings(int n, int k, int size, double noise, long seed) {
        checkCount(n);
        if (k < 2 || size < 1) throw new IllegalArgumentException("gratings need k >= 2 and size >= 1, got k=" + k + ", size=" + size);
        Rng rng = new Rng(seed);
        int plane = values(size, size), sample = values(3, plane);
        float[] x = new float[values(n, sample)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            double theta = Math.PI * c / k, phase = rng.uniform(0, 2 * Math.PI), freq = 2 * Math.PI / 4;
            for (int ch = 0; ch < 3; ch++) {
                double tint = 0.5 * Math.cos(2 * Math.PI * c / k + 2 * Math.PI * ch / 3);
                for (int r = 0; r < size; r++)
                    for (int col = 0; col < size; col++) {
                        double wave = Math.cos(freq * (r * Math.sin(theta) + col * Math.cos(theta)) + phase);
                        x[i * sample + ch * plane + r * size + col] = (float) (tint + wave + noise * rng.nextGaussian());
                    }
            }
            y[i] = c;
        }
        return Dataset.classification("gratings", Column.floats(Dataset.FEATURES, x, 3, size, size), Column.ints(Dataset.LABELS, y), k);
    }

    private static Dataset classes(String name, float[] x, int width, int[] y, int k) {
        return Dataset.classification(name, Column.floats(Dataset.FEATURES, x, width), Column.ints(Dataset.LABELS, y), k);
    }

    private static void checkCount(int n) {
        if (n < 0) throw new IllegalArgumentException("sample count must be non-negative, got " + n);
    }

    /** {@code a * b} (samples times values per sample, either order) when it fits a Java array; a clear error otherwise. */
    private static int values(int a, int b) {
        long v = (long) a * b;
        if (a < 0 || b < 0) throw new IllegalArgumentException("sizes must be non-negative, got " + a + " and " + b);
        if (v > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(a + " x " + b + " = " + v + " values do not fit one Java array (at most 2^31-1); use fewer samples (a smaller n)");
        return (int) v;
    }
}
