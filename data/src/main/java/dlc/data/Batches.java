package dlc.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One epoch of mini-batches over a {@link Dataset}: the sample order (sequential, or a permutation
 * fixed by seed and epoch) cut into batches of {@code batchSize}. A final partial batch is kept or
 * dropped as asked. Batches are materialized on demand ({@link #batch(int)}), so an epoch costs no
 * more memory than one batch at a time.
 */
public final class Batches implements Iterable<Dataset> {
    private final Dataset data;
    private final int batchSize;
    private final int[] order;
    private final int count;

    private Batches(Dataset data, int batchSize, int[] order, boolean keepPartial) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.order = order;
        this.count = keepPartial ? (order.length + batchSize - 1) / batchSize : order.length / batchSize;
    }

    /** Batches in data set order (for evaluation). */
    public static Batches sequential(Dataset data, int batchSize, boolean keepPartial) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        return new Batches(data, batchSize, order, keepPartial);
    }

    /** Batches in the order {@link #permutation(int, long, long) permutation(N, seed, epoch)}. */
    public static Batches shuffled(Dataset data, int batchSize, long seed, long epoch, boolean keepPartial) {
        return new Batches(data, batchSize, permutation(data.size(), seed, epoch), keepPartial);
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} (Fisher-Yates) that depends only on
     * {@code (n, seed, epoch)}: the same triple always gives the same order, on any JVM, whatever
     * else has drawn random numbers. Different epochs give independent orders. Epoch -1 is what
     * {@link Dataset#split} uses, so train epochs (0, 1, ...) never replay the split's order.
     */
    public static int[] permutation(int n, long seed, long epoch) {
        if (n < 0) throw new IllegalArgumentException("permutation of negative size " + n);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Rng rng = Rng.forStream(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }

    /** Number of batches in this epoch. */
    public int count() { return count; }

    public int batchSize() { return batchSize; }

    /** The data set rows of batch {@code b}. */
    public int[] rows(int b) {
        if (b < 0 || b >= count) throw new IndexOutOfBoundsException("batch " + b + " of " + count);
        int from = b * batchSize, to = Math.min(order.length, from + batchSize);
        int[] r = new int[to - from];
        System.arraycopy(order, from, r, 0, r.length);
        return r;
    }

    /** Batch {@code b} as a data set of its rows. */
    public Dataset batch(int b) { return data.subset(rows(b)); }

    @Override public Iterator<Dataset> iterator() {
        return new Iterator<>() {
            int next = 0;
            @Override public boolean hasNext() { return next < count; }
            @Override public Dataset next() {
                if (next >= count) throw new NoSuchElementException();
                return batch(next++);
            }
        };
    }
}
