package dlc.data;

import java.util.Arrays;

/**
 * An affine map {@code x' = (x - shift) * scale} fitted on the training split and then applied
 * unchanged to every split, so validation and test data never leak into the statistics. Statistics
 * are either global (one shift/scale for all values, e.g. image pixels) or per feature (one per
 * position within a sample, e.g. tabular columns).
 */
public final class Normalizer {
    private final float[] shift;
    private final float[] scale;

    private Normalizer(float[] shift, float[] scale) {
        this.shift = shift;
        this.scale = scale;
    }

    /**
     * Scales the training values to [0, 1]: shift = min, scale = 1 / (max - min). A constant feature
     * (max = min) maps to 0 instead of dividing by zero.
     */
    public static Normalizer minMax(Column train, boolean perFeature) {
        int k = width(train, perFeature);
        double[] lo = new double[k], hi = new double[k];
        Arrays.fill(lo, Double.POSITIVE_INFINITY);
        Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        int per = train.sampleSize();
        for (int i = 0; i < train.size(); i++)
            for (int j = 0; j < per; j++) {
                double v = train.value(i, j);
                int f = perFeature ? j : 0;
                lo[f] = Math.min(lo[f], v);
                hi[f] = Math.max(hi[f], v);
            }
        float[] shift = new float[k], scale = new float[k];
        for (int f = 0; f < k; f++) {
            shift[f] = (float) lo[f];
            scale[f] = hi[f] > lo[f] ? (float) (1.0 / (hi[f] - lo[f])) : 1f;
        }
        return new Normalizer(shift, scale);
    }

    /**
     * Standardizes to mean 0 and (population) standard deviation 1 on the training values. A constant
     * feature (std 0) is only centred.
     */
    public static Normalizer standardize(Column train, boolean perFeature) {
        int k = width(train, perFeature);
        double[] sum = new double[k], sq = new double[k];
        long[] n = new long[k];
        int per = train.sampleSize();
        for (int i = 0; i < train.size(); i++)
            for (int j = 0; j < per; j++) {
                int f = perFeature ? j : 0;
                sum[f] += train.value(i, j);
                n[f]++;
            }
        double[] mean = new double[k];
        for (int f = 0; f < k; f++) mean[f] = sum[f] / n[f];
        // Two passes: the centred sum of squares is accurate where E[x^2] - E[x]^2 cancels badly.
        for (int i = 0; i < train.size(); i++)
            for (int j = 0; j < per; j++) {
                int f = perFeature ? j : 0;
                double d = train.value(i, j) - mean[f];
                sq[f] += d * d;
            }
        float[] shift = new float[k], scale = new float[k];
        for (int f = 0; f < k; f++) {
            double std = Math.sqrt(sq[f] / n[f]);
            shift[f] = (float) mean[f];
            scale[f] = std > 0 ? (float) (1.0 / std) : 1f;
        }
        return new Normalizer(shift, scale);
    }

    /** A fixed map, e.g. {@code of(0, 1/255f)} for 8-bit pixels. */
    public static Normalizer of(float shift, float scale) { return new Normalizer(new float[]{shift}, new float[]{scale}); }

    private static int width(Column train, boolean perFeature) {
        if (train.size() == 0) throw new IllegalArgumentException("cannot fit a normalizer on column '" + train.name() + "' with no samples");
        return perFeature ? train.sampleSize() : 1;
    }

    /** Per-feature (or one global) shifts. */
    public float[] shift() { return shift.clone(); }

    /** Per-feature (or one global) scales. */
    public float[] scale() { return scale.clone(); }

    /** The normalized column (f32). A per-feature normalizer requires the sample size it was fitted on. */
    public Column apply(Column c) {
        int per = c.sampleSize();
        if (shift.length != 1 && shift.length != per)
            throw new IllegalArgumentException("normalizer fitted on " + shift.length + " features applied to column '" + c.name()
                    + "' with " + per + " values per sample");
        float[] out = new float[c.size() * per];
        for (int i = 0, at = 0; i < c.size(); i++)
            for (int j = 0; j < per; j++, at++) {
                int f = shift.length == 1 ? 0 : j;
                out[at] = (float) ((c.value(i, j) - shift[f]) * scale[f]);
            }
        return Column.floats(c.name(), out, c.sampleShape());
    }

    /** The data set with column {@code column} normalized. */
    public Dataset apply(Dataset d, String column) { return d.with(apply(d.column(column))); }
}
