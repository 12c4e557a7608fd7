package dlc.runtime;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NarrowGemm}'s row kernel with {@code jdk.incubator.vector}: one row of C as up to 8
 * vectors of columns in registers while streaming the matching part of every row of the narrow
 * weight, which is widened in registers (int8: sign-extend and convert, once per vector of codes;
 * bfloat16: widen to int and shift into the high half of a float) and never stored as float32.
 *
 * <p>The weight is read in a copy arranged once per matrix ({@link Panels}, kept by the
 * {@link NarrowMatrix}): columns padded with zeros to a whole number of vectors, so that every
 * column sits in a full vector (the classifier's 10 outputs no longer fall to a scalar loop:
 * 1.0 to 0.17 us). Blocks of 8 vectors of columns: 8 accumulators hide the FMA's latency, where 4
 * were latency-bound (the 784 x 256 int8 layer 7.8 to 7.0-7.5 us). The rows stay row-major: a
 * layout with each column block's rows consecutive (one sequential stream) ran 1.7x slower in
 * about half the JVMs, those where the array's elements happened to start 8 bytes off a 16-byte
 * boundary (never with -XX:ObjectAlignmentInBytes=16), and a 64-byte-aligned direct buffer read
 * through the Vector API's byte-buffer loads ran at that slower speed always. The sums of a row go
 * to a scratch row, then into C times the int8 column scales. Loaded only when the module is present and vectors hold at least 8 floats
 * (see {@link NarrowGemm}); referencing it without the module fails to link.
 */
final class NarrowVectorKernel implements NarrowGemm.Rows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int VL = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** VL bytes and VL shorts: the narrow codes of one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(VL * 8));
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(VL * 16));

    NarrowVectorKernel() {
        if (VL < 8) throw new IllegalStateException("vectors of " + VL + " floats: the scalar row kernel is as fast");
    }

    /**
     * A weight arranged for this kernel: the k x n matrix with its columns padded with zeros to
     * {@code np}, a whole number of vectors (row-major, row stride np), and the int8 scales padded
     * with zeros likewise, so that every column sits in a full vector.
     */
    record Panels(int vl, int np, byte[] codes, short[] bits, float[] scales) {
        static Panels of(NarrowMatrix m) {
            int k = m.rows(), n = m.cols(), np = Gemm.roundUp(n, VL);
            byte[] codes = m.codes() != null ? new byte[k * np] : null;
            short[] bits = m.bf16() != null ? new short[k * np] : null;
            for (int p = 0; p < k; p++)
                if (codes != null) System.arraycopy(m.codes(), p * n, codes, p * np, n);
                else System.arraycopy(m.bf16(), p * n, bits, p * np, n);
            float[] scales = m.scales() != null ? java.util.Arrays.copyOf(m.scales(), np) : null;
            return new Panels(VL, np, codes, bits, scales);
        }
    }

    private static Panels panels(NarrowMatrix b) {
        Object p = b.kernelLayout();
        if (p instanceof Panels x && x.vl == VL) return x;
        Panels x = Panels.of(b);
        b.kernelLayout(x); // a race arranges the same values twice, harmlessly
        return x;
    }

    @Override public void row(int n, int k, float[] a, int ai, int as, NarrowMatrix b, float[] c, int ci) {
        Panels w = panels(b);
        int np = w.np, j = 0;
        // the blocks store their sums here, whole vectors (the padding included); then the scales and the copy into c
        float[] sum = GemmScratch.get().tile(np);
        // one small method per block shape and format: C2 inlines the vector calls of each in full
        // (one method holding them all ran at half speed); they call no other dlc method and pass
        // no vectors, so a call C2 leaves (past its node budget) never boxes one (see VectorGemmKernel.tile)
        for (; j + 8 * VL <= np; j += 8 * VL)
            if (w.codes != null) block8Int8(k, a, ai, as, w, j, sum);
            else block8Bf16(k, a, ai, as, w, j, sum);
        for (; j + 4 * VL <= np; j += 4 * VL)
            if (w.codes != null) block4Int8(k, a, ai, as, w, j, sum);
            else block4Bf16(k, a, ai, as, w, j, sum);
        for (; j < np; j += VL)
            if (w.codes != null) block1Int8(k, a, ai, as, w, j, sum);
            else block1Bf16(k, a, ai, as, w, j, sum);
        // (the sums go through an array, not a helper taking vectors: a vector passed to a call C2 did
        // not inline is boxed, and the 8-block method is past the inlining budget)
        float[] s = w.scales;
        if (s == null) System.arraycopy(sum, 0, c, ci, n);
        else for (int x = 0; x < n; x++) c[ci + x] = sum[x] * s[x];
    }

    private static void block8Int8(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        byte[] q = w.codes;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi).convertShape(VectorOperators.B2F, F, 0), s0);
            s1 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + VL).convertShape(VectorOperators.B2F, F, 0), s1);
            s2 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 2 * VL).convertShape(VectorOperators.B2F, F, 0), s2);
            s3 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 3 * VL).convertShape(VectorOperators.B2F, F, 0), s3);
            s4 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 4 * VL).convertShape(VectorOperators.B2F, F, 0), s4);
            s5 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 5 * VL).convertShape(VectorOperators.B2F, F, 0), s5);
            s6 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 6 * VL).convertShape(VectorOperators.B2F, F, 0), s6);
            s7 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 7 * VL).convertShape(VectorOperators.B2F, F, 0), s7);
        }
        s0.intoArray(sum, j);
        s1.intoArray(sum, j + VL);
        s2.intoArray(sum, j + 2 * VL);
        s3.intoArray(sum, j + 3 * VL);
        s4.intoArray(sum, j + 4 * VL);
        s5.intoArray(sum, j + 5 * VL);
        s6.intoArray(sum, j + 6 * VL);
        s7.intoArray(sum, j + 7 * VL);
    }

    private static void block4Int8(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        byte[] q = w.codes;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi).convertShape(VectorOperators.B2F, F, 0), s0);
            s1 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + VL).convertShape(VectorOperators.B2F, F, 0), s1);
            s2 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 2 * VL).convertShape(VectorOperators.B2F, F, 0), s2);
            s3 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi + 3 * VL).convertShape(VectorOperators.B2F, F, 0), s3);
        }
        s0.intoArray(sum, j);
        s1.intoArray(sum, j + VL);
        s2.intoArray(sum, j + 2 * VL);
        s3.intoArray(sum, j + 3 * VL);
    }

    private static void block1Int8(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        byte[] q = w.codes;
        FloatVector s0 = FloatVector.zero(F);
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma((FloatVector) ByteVector.fromArray(B, q, bi).convertShape(VectorOperators.B2F, F, 0), s0);
        }
        s0.intoArray(sum, j);
    }

    private static void block8Bf16(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        short[] q = w.bits;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0);
            s1 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s1);
            s2 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 2 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s2);
            s3 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 3 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s3);
            s4 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 4 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s4);
            s5 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 5 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s5);
            s6 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 6 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s6);
            s7 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 7 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s7);
        }
        s0.intoArray(sum, j);
        s1.intoArray(sum, j + VL);
        s2.intoArray(sum, j + 2 * VL);
        s3.intoArray(sum, j + 3 * VL);
        s4.intoArray(sum, j + 4 * VL);
        s5.intoArray(sum, j + 5 * VL);
        s6.intoArray(sum, j + 6 * VL);
        s7.intoArray(sum, j + 7 * VL);
    }

    private static void block4Bf16(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        short[] q = w.bits;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0);
            s1 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s1);
            s2 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 2 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s2);
            s3 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi + 3 * VL).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s3);
        }
        s0.intoArray(sum, j);
        s1.intoArray(sum, j + VL);
        s2.intoArray(sum, j + 2 * VL);
        s3.intoArray(sum, j + 3 * VL);
    }

    private static void block1Bf16(int k, float[] a, int ai, int as, Panels w, int j, float[] sum) {
        short[] q = w.bits;
        FloatVector s0 = FloatVector.zero(F);
        for (int p = 0, bi = j, st = w.np; p < k; p++, bi += st) {
            FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
            s0 = av.fma(((IntVector) ShortVector.fromArray(S, q, bi).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), s0);
        }
        s0.intoArray(sum, j);
    }

}
