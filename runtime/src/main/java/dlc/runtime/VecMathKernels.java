package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops of {@link VecMath}; loaded only when {@link VecSupport#ENABLED}.
 *
 * <p>exp, sigmoid and tanh are computed here from additions, multiplications, fused
 * multiply-adds, comparisons and exponent-bit arithmetic only, never with the Vector API's
 * {@code lanewise(EXP)} and the like: those give the JDK's vector math library's result once C2
 * has compiled the loop and {@code Math.exp} rounded to float before that, so the same training
 * run gave different bits from one JVM to the next, as the JIT happened to compile it (checkpoints
 * of two identical one-epoch {@code dlc train} runs differed in most weights). The basic operations
 * are IEEE-exact in both the compiled and the interpreted Vector API, so these results never
 * depend on the JIT. log, log1p, expm1, sin and cos run the scalar loop for the same reason (they
 * appear once per batch in the losses, or in constant tables).
 */
final class VecMathKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VecMathKernels() {}

    static void apply(int op, float[] x, int xo, float[] y, int yo, int n) {
        int i = vector(op, x, xo, y, yo, n);
        if (i < 0) {
            VecMath.scalar(op, x, xo, y, yo, 0, n);
            return;
        }
        if (i == n) return;
        // the last partial vector runs through a padded one, so an element's result never depends
        // on where it sits in the range: the rows of a scan run in parts (each part's range
        // shorter, its tail elsewhere) give the same bits as the whole batch
        float[] pad = TAIL.get();
        int m = n - i;
        System.arraycopy(x, xo + i, pad, 0, m);
        java.util.Arrays.fill(pad, m, pad.length, 0f);
        vector(op, pad, 0, pad, 0, pad.length);
        System.arraycopy(pad, 0, y, yo + i, m);
    }

    /** The vector loop of {@code op} over the whole vectors of the range; returns where the rest starts, or -1 for an op without one. */
    private static int vector(int op, float[] x, int xo, float[] y, int yo, int n) {
        return switch (op) {
            case VecMath.EXP -> exp(PLAIN, x, xo, y, yo, n);
            case VecMath.SIGMOID -> sigmoid(x, xo, y, yo, n);
            case VecMath.TANH -> tanh(x, xo, y, yo, n);
            case VecMath.LOG, VecMath.LOG1P, VecMath.EXPM1, VecMath.SIN, VecMath.COS -> -1;
            default -> throw new IllegalArgumentException("no VecMath op " + op);
        };
    }

    /** Per-thread room for one vector: a range's last partial vector. */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[S.length()]);

    /** Per-thread room for tanh's exponentials when it runs in place. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    /** What {@link #exp} takes the exponential of: x, -x, or -2|x|. */
    private static final int PLAIN = 0, NEGATED = 1, MINUS_TWICE_ABS = 2;

    /** 1 / (1 + exp(-x)): exp(-x) is +inf for very negative x, giving 0. */
    private static int sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        int bound = exp(NEGATED, x, xo, y, yo, n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += S.length()) one.div(FloatVector.fromArray(S, y, yo + i).add(one)).intoArray(y, yo + i);
        return bound;
    }

    /**
     * tanh: (1 - e) / (1 + e) with e = exp(-2|x|), the sign copied from x, for |x| >= 0.625;
     * below, where 1 - e would cancel, the odd polynomial x + x^3 P(x^2) of the Cephes library's
     * tanhf (relative error about 1e-7 there). A first pass stores e to y (to a scratch array
     * when x and y are the same range), the second reads x and e.
     */
    private static int tanh(float[] x, int xo, float[] y, int yo, int n) {
        float[] e = y;
        int eo = yo;
        if (x == y) { // in place: e goes to this thread's scratch, grown on demand (a steady state allocates nothing)
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < n) scratch[0] = new float[n];
            e = scratch[0];
            eo = 0;
        }
        int bound = exp(MINUS_TWICE_ABS, x, xo, e, eo, n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i), ev = FloatVector.fromArray(S, e, eo + i);
            FloatVector big = one.sub(ev).div(ev.add(one));
            big = big.blend(big.neg(), v.compare(VectorOperators.LT, 0f));
            FloatVector z = v.mul(v);
            FloatVector p = z.fma(-5.70498872745e-3f, 2.06390887954e-2f).fma(z, FloatVector.broadcast(S, -5.37397155531e-2f))
                    .fma(z, FloatVector.broadcast(S, 1.33314422036e-1f)).fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
            FloatVector small = v.mul(z).fma(p, v);
            big.blend(small, v.abs().compare(VectorOperators.LT, 0.625f)).intoArray(y, yo + i);
        }
        return bound;
    }

    /**
     * e^v for v = x, -x or -2|x| ({@code input}) over the whole vectors of the range (returns
     * where the scalar tail starts), within about
     * 1 ulp (the Cephes library's expf): n = round(v log2 e) by the 1.5 * 2^23 trick, r = v - n ln 2
     * in two parts, e^r by a degree-6 polynomial, and 2^n applied as two factors so that results
     * down to the denormals and up to the overflow to +inf come out right. v is clamped to
     * [-104, 89] first (e^v is 0 and +inf beyond); NaN stays NaN. One method with no calls but the
     * Vector API's: a vector passed to a method C2 does not inline is boxed.
     */
    private static int exp(int input, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            if (input == NEGATED) v = v.neg();
            else if (input == MINUS_TWICE_ABS) v = v.abs().mul(-2f);
            FloatVector c = v.max(-104f).min(89f);
            VectorMask<Float> nan = v.compare(VectorOperators.NE, v);
            FloatVector t = c.fma(1.44269504088896341f, 12582912f);
            FloatVector nf = t.sub(12582912f);
            FloatVector r = nf.fma(FloatVector.broadcast(S, -0.693359375f), c).sub(nf.mul(-2.12194440e-4f));
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f).fma(r, FloatVector.broadcast(S, 8.3334519073e-3f))
                    .fma(r, FloatVector.broadcast(S, 4.1665795894e-2f)).fma(r, FloatVector.broadcast(S, 1.6666665459e-1f))
                    .fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
            FloatVector e = r.mul(r).fma(p, r).add(1f);
            IntVector k = t.reinterpretAsInts().sub(0x4B400000);
            IntVector k1 = k.lanewise(VectorOperators.ASHR, 1), k2 = k.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            e.mul(s1).mul(s2).blend(v, nan).intoArray(y, yo + i);
        }
        return i;
    }
}
