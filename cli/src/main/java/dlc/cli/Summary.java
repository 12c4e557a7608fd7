package dlc.cli;

import dlc.ir.eval.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Summary statistics of a tensor for {@code dlc run}: shape, min, max, mean, standard deviation
 * (population) and the number of NaNs. The statistics ignore NaNs, which are counted instead.
 */
record Summary(int[] shape, int count, double min, double max, double mean, double std, int nans) {

    static Summary of(Tensor t) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        int n = 0, nans = 0;
        for (double x : t.data()) {
            if (Double.isNaN(x)) { nans++; continue; }
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
            n++;
        }
        double mean = n == 0 ? Double.NaN : sum / n, sq = 0;
        for (double x : t.data()) if (!Double.isNaN(x)) sq += (x - mean) * (x - mean);
        double std = n == 0 ? Double.NaN : Math.sqrt(sq / n);
        return new Summary(t.shape(), n, n == 0 ? Double.NaN : min, n == 0 ? Double.NaN : max, mean, std, nans);
    }

    /**
     * {@code probs: f32[2, 10]  min 0.0123  max 0.456  mean 0.1  std 0.0501  nan 0}; a rank-0
     * tensor shows its value instead: {@code loss: f32[] = 2.30259}.
     */
    String line(String name, String dtype) {
        StringJoiner dims = new StringJoiner(", ", "[", "]");
        for (int d : shape) dims.add(Integer.toString(d));
        if (shape.length == 0) return name + ": " + dtype + "[] = " + (nans == 1 ? "NaN" : num(mean));
        return name + ": " + dtype + dims + "  min " + num(min) + "  max " + num(max) + "  mean " + num(mean)
                + "  std " + num(std) + "  nan " + nans;
    }

    private static String num(double x) {
        if (Double.isNaN(x)) return "-";
        return String.format(Locale.ROOT, "%.6g", x);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Summary s && Arrays.equals(shape, s.shape) && count == s.count && Double.compare(min, s.min) == 0
                && Double.compare(max, s.max) == 0 && Double.compare(mean, s.mean) == 0 && Double.compare(std, s.std) == 0 && nans == s.nans;
    }

    @Override public int hashCode() { return Arrays.hashCode(shape) * 31 + nans; }

    @Override public String toString() { return line("tensor", ""); }
}
