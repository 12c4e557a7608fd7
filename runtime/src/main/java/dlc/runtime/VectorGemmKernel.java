package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel with {@code jdk.incubator.vector}: a 6 x (2 vectors) tile of C in 12 vector
 * accumulators (6 x 32 floats on AVX-512, 6 x 16 on AVX2), one fused multiply-add per accumulator
 * and k step, A values broadcast from the packed panel. Loaded only when the module is present
 * (see {@link Gemm}); referencing this class without the module fails to link.
 */
final class VectorGemmKernel extends TiledGemmKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    VectorGemmKernel() { super(6, 2 * VL); }

    @Override String name() { return "vector-6x" + 2 * VL; }

    @Override void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += 6, bi += 2 * VL) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        // the stores written out rather than six calls of store(): C2 stops inlining calls once the
        // unrolled loop passes its node budget (NodeCountInliningCutoff), and a call it leaves passes
        // its vectors boxed (in some JVM runs the last call was left: 1.4 MB allocated per LSTM step);
        // the Vector API's own methods are force-inlined, so code without other calls never boxes
        int i0 = ci, i1 = ci + ldc, i2 = ci + 2 * ldc, i3 = ci + 3 * ldc, i4 = ci + 4 * ldc, i5 = ci + 5 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, i0)); c01 = c01.add(FloatVector.fromArray(S, c, i0 + VL));
            c10 = c10.add(FloatVector.fromArray(S, c, i1)); c11 = c11.add(FloatVector.fromArray(S, c, i1 + VL));
            c20 = c20.add(FloatVector.fromArray(S, c, i2)); c21 = c21.add(FloatVector.fromArray(S, c, i2 + VL));
            c30 = c30.add(FloatVector.fromArray(S, c, i3)); c31 = c31.add(FloatVector.fromArray(S, c, i3 + VL));
            c40 = c40.add(FloatVector.fromArray(S, c, i4)); c41 = c41.add(FloatVector.fromArray(S, c, i4 + VL));
            c50 = c50.add(FloatVector.fromArray(S, c, i5)); c51 = c51.add(FloatVector.fromArray(S, c, i5 + VL));
        }
        c00.intoArray(c, i0); c01.intoArray(c, i0 + VL);
        c10.intoArray(c, i1); c11.intoArray(c, i1 + VL);
        c20.intoArray(c, i2); c21.intoArray(c, i2 + VL);
        c30.intoArray(c, i3); c31.intoArray(c, i3 + VL);
        c40.intoArray(c, i4); c41.intoArray(c, i4 + VL);
        c50.intoArray(c, i5); c51.intoArray(c, i5 + VL);
    }

    @Override void tileRowsA(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        int last = rows - 1;
        int r0 = a0, r1 = a0 + Math.min(1, last) * lda, r2 = a0 + Math.min(2, last) * lda;
        int r3 = a0 + Math.min(3, last) * lda, r4 = a0 + Math.min(4, last) * lda, r5 = a0 + Math.min(5, last) * lda;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, bi += 2 * VL) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[r4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[r5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        // written out, no calls: see tile()
        int i0 = ci, i1 = ci + ldc, i2 = ci + 2 * ldc, i3 = ci + 3 * ldc, i4 = ci + 4 * ldc, i5 = ci + 5 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, i0)); c01 = c01.add(FloatVector.fromArray(S, c, i0 + VL));
            c10 = c10.add(FloatVector.fromArray(S, c, i1)); c11 = c11.add(FloatVector.fromArray(S, c, i1 + VL));
            c20 = c20.add(FloatVector.fromArray(S, c, i2)); c21 = c21.add(FloatVector.fromArray(S, c, i2 + VL));
            c30 = c30.add(FloatVector.fromArray(S, c, i3)); c31 = c31.add(FloatVector.fromArray(S, c, i3 + VL));
            c40 = c40.add(FloatVector.fromArray(S, c, i4)); c41 = c41.add(FloatVector.fromArray(S, c, i4 + VL));
            c50 = c50.add(FloatVector.fromArray(S, c, i5)); c51 = c51.add(FloatVector.fromArray(S, c, i5 + VL));
        }
        c00.intoArray(c, i0); c01.intoArray(c, i0 + VL);
        c10.intoArray(c, i1); c11.intoArray(c, i1 + VL);
        c20.intoArray(c, i2); c21.intoArray(c, i2 + VL);
        c30.intoArray(c, i3); c31.intoArray(c, i3 + VL);
        c40.intoArray(c, i4); c41.intoArray(c, i4 + VL);
        c50.intoArray(c, i5); c51.intoArray(c, i5 + VL);
    }

    @Override void tileRowsA4(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        int last = rows - 1;
        int r0 = a0, r1 = a0 + Math.min(1, last) * lda, r2 = a0 + Math.min(2, last) * lda, r3 = a0 + Math.min(3, last) * lda;
        // 8 accumulators: with two FMA units of 4 cycles' latency, as many as keep both busy
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p++, bi += 2 * VL) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        // written out, no calls: see tile()
        int i0 = ci, i1 = ci + ldc, i2 = ci + 2 * ldc, i3 = ci + 3 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, i0)); c01 = c01.add(FloatVector.fromArray(S, c, i0 + VL));
            c10 = c10.add(FloatVector.fromArray(S, c, i1)); c11 = c11.add(FloatVector.fromArray(S, c, i1 + VL));
            c20 = c20.add(FloatVector.fromArray(S, c, i2)); c21 = c21.add(FloatVector.fromArray(S, c, i2 + VL));
            c30 = c30.add(FloatVector.fromArray(S, c, i3)); c31 = c31.add(FloatVector.fromArray(S, c, i3 + VL));
        }
        c00.intoArray(c, i0); c01.intoArray(c, i0 + VL);
        c10.intoArray(c, i1); c11.intoArray(c, i1 + VL);
        c20.intoArray(c, i2); c21.intoArray(c, i2 + VL);
        c30.intoArray(c, i3); c31.intoArray(c, i3 + VL);
    }

    /** One vector of columns: a classifier's 10 outputs fill 10 of 16 lanes rather than 10 of 32. */
    @Override int narrowWidth() { return VL; }

    /** 12 rows, so that 12 accumulators hide the FMA latency as the 6 x 2 tile's do. */
    @Override int narrowRows() { return 12; }

    @Override void tileNarrow(int kc, float[] a, int a0, int lda, int rows, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
        int last = rows - 1;
        int r0 = a0, r1 = a0 + Math.min(1, last) * lda, r2 = a0 + Math.min(2, last) * lda;
        int r3 = a0 + Math.min(3, last) * lda, r4 = a0 + Math.min(4, last) * lda, r5 = a0 + Math.min(5, last) * lda;
        int r6 = a0 + Math.min(6, last) * lda, r7 = a0 + Math.min(7, last) * lda, r8 = a0 + Math.min(8, last) * lda;
        int r9 = a0 + Math.min(9, last) * lda, r10 = a0 + Math.min(10, last) * lda, r11 = a0 + Math.min(11, last) * lda;
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int p = 0; p < kc; p++, bi += VL) {
            FloatVector b = FloatVector.fromArray(S, bp, bi);
            c0 = FloatVector.broadcast(S, a[r0 + p]).fma(b, c0);
            c1 = FloatVector.broadcast(S, a[r1 + p]).fma(b, c1);
            c2 = FloatVector.broadcast(S, a[r2 + p]).fma(b, c2);
            c3 = FloatVector.broadcast(S, a[r3 + p]).fma(b, c3);
            c4 = FloatVector.broadcast(S, a[r4 + p]).fma(b, c4);
            c5 = FloatVector.broadcast(S, a[r5 + p]).fma(b, c5);
            c6 = FloatVector.broadcast(S, a[r6 + p]).fma(b, c6);
            c7 = FloatVector.broadcast(S, a[r7 + p]).fma(b, c7);
            c8 = FloatVector.broadcast(S, a[r8 + p]).fma(b, c8);
            c9 = FloatVector.broadcast(S, a[r9 + p]).fma(b, c9);
            c10 = FloatVector.broadcast(S, a[r10 + p]).fma(b, c10);
            c11 = FloatVector.broadcast(S, a[r11 + p]).fma(b, c11);
        }
        // written out, no calls: see tile()
        if (add) {
            c0 = c0.add(FloatVector.fromArray(S, c, ci)); c1 = c1.add(FloatVector.fromArray(S, c, ci + ldc));
            c2 = c2.add(FloatVector.fromArray(S, c, ci + 2 * ldc)); c3 = c3.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c4 = c4.add(FloatVector.fromArray(S, c, ci + 4 * ldc)); c5 = c5.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c6 = c6.add(FloatVector.fromArray(S, c, ci + 6 * ldc)); c7 = c7.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c8 = c8.add(FloatVector.fromArray(S, c, ci + 8 * ldc)); c9 = c9.add(FloatVector.fromArray(S, c, ci + 9 * ldc));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + 10 * ldc)); c11 = c11.add(FloatVector.fromArray(S, c, ci + 11 * ldc));
        }
        c0.intoArray(c, ci); c1.intoArray(c, ci + ldc); c2.intoArray(c, ci + 2 * ldc); c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc); c5.intoArray(c, ci + 5 * ldc); c6.intoArray(c, ci + 6 * ldc); c7.intoArray(c, ci + 7 * ldc);
        c8.intoArray(c, ci + 8 * ldc); c9.intoArray(c, ci + 9 * ldc); c10.intoArray(c, ci + 10 * ldc); c11.intoArray(c, ci + 11 * ldc);
    }

    @Override void fewRows(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                           float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean add) {
        float[] row = transA ? GemmScratch.get().a(k) : null;
        for (int i = 0; i < m; i++) {
            float[] ar = a;
            int ai = aOff + i * lda;
            if (transA) {
                // row i of op(A) is a strided column of A: gather it once
                for (int p = 0; p < k; p++) row[p] = a[aOff + p * lda + i];
                ar = row;
                ai = 0;
            }
            if (transB) dotRow(k, n, ar, ai, b, bOff, ldb, c, cOff + i * ldc, add);
            else axpyRow(k, n, ar, ai, b, bOff, ldb, c, cOff + i * ldc, add);
        }
    }

    /**
     * The lanes of {@code v} added in lane order. Not {@code reduceLanes(ADD)}: its order of
     * additions is unspecified, and the interpreted and the C2-compiled forms of it differ in the
     * last bits, so the same step gave different weights before and after the JIT warmed up (a
     * resumed training run then drifted from an uninterrupted one).
     */
    private static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < VL; i++) s += v.lane(i);
        return s;
    }

    /** One row of C = a row times B^T: each element a dot product of two contiguous rows, 4 at a time. */
    private static void dotRow(int k, int n, float[] a, int ai, float[] b, int bOff, int ldb, float[] c, int ci, boolean add) {
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb, p = 0;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (; p + VL <= k; p += VL) {
                FloatVector av = FloatVector.fromArray(S, a, ai + p);
                s0 = av.fma(FloatVector.fromArray(S, b, b0 + p), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, b1 + p), s1);
                s2 = av.fma(FloatVector.fromArray(S, b, b2 + p), s2);
                s3 = av.fma(FloatVector.fromArray(S, b, b3 + p), s3);
            }
            float d0 = sumLanes(s0), d1 = sumLanes(s1), d2 = sumLanes(s2), d3 = sumLanes(s3);
            for (; p < k; p++) {
                float av = a[ai + p];
                d0 += av * b[b0 + p];
                d1 += av * b[b1 + p];
                d2 += av * b[b2 + p];
                d3 += av * b[b3 + p];
            }
            c[ci + j] = add ? c[ci + j] + d0 : d0;
            c[ci + j + 1] = add ? c[ci + j + 1] + d1 : d1;
            c[ci + j + 2] = add ? c[ci + j + 2] + d2 : d2;
            c[ci + j + 3] = add ? c[ci + j + 3] + d3 : d3;
        }
        for (; j < n; j++) {
            int b0 = bOff + j * ldb;
            float d = 0;
            for (int p = 0; p < k; p++) d += a[ai + p] * b[b0 + p];
            c[ci + j] = add ? c[ci + j] + d : d;
        }
    }

    /** One row of C = a row times B: 4 vectors of C columns in registers while streaming the matching part of every B row. */
    private static void axpyRow(int k, int n, float[] a, int ai, float[] b, int bOff, int ldb, float[] c, int ci, boolean add) {
        int j = 0;
        // 4 vectors of C columns in registers while streaming the matching part of every B row
        for (; j + 4 * VL <= n; j += 4 * VL) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, bi = bOff + j; p < k; p++, bi += ldb) {
                FloatVector av = FloatVector.broadcast(S, a[ai + p]);
                s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, bi + VL), s1);
                s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * VL), s2);
                s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * VL), s3);
            }
            if (add) {
                s0 = s0.add(FloatVector.fromArray(S, c, ci + j));
                s1 = s1.add(FloatVector.fromArray(S, c, ci + j + VL));
                s2 = s2.add(FloatVector.fromArray(S, c, ci + j + 2 * VL));
                s3 = s3.add(FloatVector.fromArray(S, c, ci + j + 3 * VL));
            }
            s0.intoArray(c, ci + j);
            s1.intoArray(c, ci + j + VL);
            s2.intoArray(c, ci + j + 2 * VL);
            s3.intoArray(c, ci + j + 3 * VL);
        }
        for (; j + VL <= n; j += VL) {
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0, bi = bOff + j; p < k; p++, bi += ldb)
                s0 = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, b, bi), s0);
            if (add) s0 = s0.add(FloatVector.fromArray(S, c, ci + j));
            s0.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            float s = 0;
            for (int p = 0, bi = bOff + j; p < k; p++, bi += ldb) s += a[ai + p] * b[bi];
            c[ci + j] = add ? c[ci + j] + s : s;
        }
    }

    @Override void epilogue(float[] c, int ci, int ldc, int rows, int cols, float[] bias, int biasOff, int biasKind, int act) {
        if (act == Gemm.ACT_TANH || act == Gemm.ACT_SIGMOID || biasKind == Gemm.BIAS_NONE && act == Gemm.ACT_NONE) {
            super.epilogue(c, ci, ldc, rows, cols, bias, biasOff, biasKind, act);
            return;
        }
        // bias and/or relu, the dense layer's epilogue: vectorized along the row
        // (vectors are made inside the loop: one kept live across iterations is boxed on the heap by C2)
        boolean relu = act == Gemm.ACT_RELU;
        for (int i = 0; i < rows; i++) {
            int row = ci + i * ldc, j = 0;
            float rb = biasKind == Gemm.BIAS_ROW ? bias[biasOff + i] : 0f;
            for (; j + VL <= cols; j += VL) {
                FloatVector v = FloatVector.fromArray(S, c, row + j);
                if (biasKind == Gemm.BIAS_COL) v = v.add(FloatVector.fromArray(S, bias, biasOff + j));
                else if (biasKind == Gemm.BIAS_ROW) v = v.add(rb);
                // relu as in Gemm.activate: v > 0 ? v : 0 (NaN becomes 0 there too)
                if (relu) v = FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
                v.intoArray(c, row + j);
            }
            for (; j < cols; j++) {
                float v = c[row + j];
                if (biasKind == Gemm.BIAS_COL) v += bias[biasOff + j];
                else if (biasKind == Gemm.BIAS_ROW) v += rb;
                c[row + j] = Gemm.activate(v, act);
            }
        }
    }
}
