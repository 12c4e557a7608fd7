package dlc.runtime;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NarrowGemm}'s row kernel with {@code jdk.incubator.vector}: one row of C as 4 vectors of
 * columns in registers while streaming the matching part of every row of the narrow weight, which
 * is widened in registers (int8: sign-extend and convert; bfloat16: widen to int and shift into the
 * high half of a float) and never stored as float32. Loaded only when the module is present and
 * vectors hold at least 8 floats (see {@link NarrowGemm}); referencing it without the module fails
 * to link.
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

    private static FloatVector bf16(short[] bits, int i) {
        IntVector wide = (IntVector) ShortVector.fromArray(S, bits, i).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector int8(byte[] codes, int i) {
        return (FloatVector) ByteVector.fromArray(B, codes, i).convertShape(VectorOperators.B2F, F, 0);
    }

    @Override public void row(int n, int k, float[] a, int ai, int as, NarrowMatrix b, float[] c, int ci) {
        if (b.bf16() != null) rowBf16(n, k, a, ai, as, b.bf16(), c, ci);
        else rowInt8(n, k, a, ai, as, b.codes(), c, ci);
    }

    private static void rowBf16(int n, int k, float[] a, int ai, int as, short[] w, float[] c, int ci) {
        int j = 0;
        for (; j + 4 * VL <= n; j += 4 * VL) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, bi = j; p < k; p++, bi += n) {
                FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
                s0 = av.fma(bf16(w, bi), s0);
                s1 = av.fma(bf16(w, bi + VL), s1);
                s2 = av.fma(bf16(w, bi + 2 * VL), s2);
                s3 = av.fma(bf16(w, bi + 3 * VL), s3);
            }
            s0.intoArray(c, ci + j);
            s1.intoArray(c, ci + j + VL);
            s2.intoArray(c, ci + j + 2 * VL);
            s3.intoArray(c, ci + j + 3 * VL);
        }
        for (; j + VL <= n; j += VL) {
            FloatVector s0 = FloatVector.zero(F);
            for (int p = 0, bi = j; p < k; p++, bi += n) s0 = FloatVector.broadcast(F, a[ai + p * as]).fma(bf16(w, bi), s0);
            s0.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            float s = 0;
            for (int p = 0, bi = j; p < k; p++, bi += n) s += a[ai + p * as] * NarrowRounding.fromBf16(w[bi]);
            c[ci + j] = s;
        }
    }

    private static void rowInt8(int n, int k, float[] a, int ai, int as, byte[] w, float[] c, int ci) {
        int j = 0;
        for (; j + 4 * VL <= n; j += 4 * VL) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, bi = j; p < k; p++, bi += n) {
                FloatVector av = FloatVector.broadcast(F, a[ai + p * as]);
                s0 = av.fma(int8(w, bi), s0);
                s1 = av.fma(int8(w, bi + VL), s1);
                s2 = av.fma(int8(w, bi + 2 * VL), s2);
                s3 = av.fma(int8(w, bi + 3 * VL), s3);
            }
            s0.intoArray(c, ci + j);
            s1.intoArray(c, ci + j + VL);
            s2.intoArray(c, ci + j + 2 * VL);
            s3.intoArray(c, ci + j + 3 * VL);
        }
        for (; j + VL <= n; j += VL) {
            FloatVector s0 = FloatVector.zero(F);
            for (int p = 0, bi = j; p < k; p++, bi += n) s0 = FloatVector.broadcast(F, a[ai + p * as]).fma(int8(w, bi), s0);
            s0.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
            float s = 0;
            for (int p = 0, bi = j; p < k; p++, bi += n) s += a[ai + p * as] * w[bi];
            c[ci + j] = s;
        }
    }
}
