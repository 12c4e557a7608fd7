package dlc.runtime;

/**
 * conv2d's product {@code y[o, :] = act(bias[o] + sum_t w[o, t] * col[t, :])} for one image and
 * group when the reduction K = C/g*kH*kW is short (the first layer of a CNN: one input channel,
 * K = 9), reading the column matrix in place instead of packing it for a GEMM
 * ({@link VectorConvSmallK}: four channels' K products per vector of the plane, in registers). At such K the GEMM spends its time packing A and B, loading and storing C tiles for a
 * handful of multiply-adds and running the epilogue as a separate pass (profiled: 7 GFLOP/s on
 * the reference CNN's first layer); here each output vector is written once, bias and activation
 * included. The sum runs in t order after the bias (fused multiply-adds, as the GEMM's), so results
 * differ from the GEMM's in rounding only. (Plain Java loops of {@code y += w * col} were not
 * vectorized by the JIT: 3 GFLOP/s.)
 */
final class ConvSmallK {
    private ConvSmallK() {}

    /** At most this K runs here rather than through the GEMM (tests move it to run either path). */
    static int maxK = 32;

    /** Whether a reduction of k runs here: short, and the vector module present (else the GEMM, whose scalar kernel is as good). */
    static boolean applies(int k) { return k <= maxK && Gemm.vectorAvailable(); }

    /**
     * {@code y[yOff + o*p + j] = act(bias[biasOff + o] + sum_t w[wOff + o*k + t] * src[srcOff + t*p + j])}
     * for o < og, j < p ({@code bias} may be null: 0).
     */
    static void run(int og, int p, int k, float[] w, int wOff, float[] src, int srcOff,
                    float[] y, int yOff, float[] bias, int biasOff, int act) {
        VectorConvSmallK.run(og, p, k, w, wOff, src, srcOff, y, yOff, bias, biasOff, act);
    }
}
