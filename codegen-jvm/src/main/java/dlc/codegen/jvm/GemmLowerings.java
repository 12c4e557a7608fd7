package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.runtime.BatchedMatmul;
import dlc.runtime.Gemm;
import dlc.runtime.NarrowGemm;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;

/**
 * Lowerings of: matmul. Every matmul becomes one call of {@link BatchedMatmul} with the operands'
 * rank-1-promoted shapes (numpy semantics, see {@code dlc.ir.ops.ContractionOps}): f32 runs the
 * packed GEMM ({@link Gemm}), other dtypes (stored as double) a plain loop.
 */
final class GemmLowerings {
    private GemmLowerings() {}

    /** The matmul's kernel call on its own. */
    static void matmul(Node node, KernelEmitter e) { emitMatmul(node, e, null, Gemm.BIAS_NONE, Gemm.ACT_NONE, node.output()); }

    /** A dense bias ([N] or [1, ..., 1, N] over the last dim) added along each row, in the GEMM's epilogue. */
    static final Lowering.Epilogue EPILOGUE = new Lowering.Epilogue() {
        @Override public int biasKind(Value anchorOut, Value b) {
            if (!KernelEmitter.isFloat(b.type().dtype())) return Gemm.BIAS_NONE;
            Shape s = b.type().shape(), out = anchorOut.type().shape();
            int r = s.rank();
            if (r == 0) return Gemm.BIAS_NONE;
            if (!s.dim(r - 1).equals(out.dim(out.rank() - 1))) return Gemm.BIAS_NONE;
            for (int k = 0; k < r - 1; k++) if (!s.dim(k).equals(Dim.of(1))) return Gemm.BIAS_NONE;
            return r <= out.rank() ? Gemm.BIAS_COL : Gemm.BIAS_NONE;
        }

        @Override public void emit(Node anchor, KernelEmitter e, Value bias, int biasKind, int act, Value result) {
            emitMatmul(anchor, e, bias, biasKind, act, result);
        }
    };

    /**
     * Emits {@code result = act(matmul + bias)}: the call for a matmul node and, for the fusion
     * emitter, the elementwise epilogue fused onto it. {@code result} is the value written (the
     * epilogue's output; the matmul's own output when there is no epilogue) and must have the
     * matmul's shape. {@code biasOrNull}, when {@code biasKind} is {@link Gemm#BIAS_COL}, holds N
     * contiguous f32 values added along each row (a dense layer's bias, shape [N] or [1, N]), and
     * when {@link Gemm#BIAS_ROW}, M values added along each column; {@code act} is one of
     * {@code Gemm.ACT_*}. An epilogue needs f32 operands (the GEMM applies it per finished block).
     */
    static void emitMatmul(Node matmul, KernelEmitter e, Value biasOrNull, int biasKind, int act, Value result) {
        if (matmul.op() != Ops.MATMUL)
            throw new IllegalArgumentException("emitMatmul needs a matmul node, got " + matmul.op().name());
        Value a = matmul.input(0), b = matmul.input(1);
        DType dtype = a.type().dtype();
        if (!result.type().shape().equals(matmul.output().type().shape()))
            throw new IllegalArgumentException("matmul epilogue result " + result + " must have the matmul's shape "
                    + matmul.output().type().shape());
        if ((biasKind == Gemm.BIAS_NONE) != (biasOrNull == null))
            throw new IllegalArgumentException("matmul epilogue: bias kind " + biasKind + " with bias " + biasOrNull);
        boolean f32 = KernelEmitter.isFloat(dtype);
        if (!f32 && (biasKind != Gemm.BIAS_NONE || act != Gemm.ACT_NONE))
            throw new IllegalArgumentException("matmul epilogues (bias, activation) are fused only for f32, got " + dtype);
        if (biasOrNull != null && !KernelEmitter.isFloat(biasOrNull.type().dtype()))
            throw new IllegalArgumentException("matmul epilogue bias must be f32, got " + biasOrNull);
        if (biasOrNull != null) checkBias(matmul, biasOrNull, biasKind);

        if (f32 && e.isNarrow(b)) {
            emitNarrow(a, b, e, biasOrNull, biasKind, act, result);
            return;
        }
        Value ta = f32 ? e.transposedSource(a) : null, tb = f32 ? e.transposedSource(b) : null;
        e.array(ta != null ? ta : a);
        e.offset(ta != null ? ta : a);
        e.shape(promoted(a.type().shape(), true));
        if (f32) e.mv().visitInsn(ta != null ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
        e.array(tb != null ? tb : b);
        e.offset(tb != null ? tb : b);
        e.shape(promoted(b.type().shape(), false));
        if (f32) e.mv().visitInsn(tb != null ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
        e.array(result);
        e.offset(result);
        if (!f32) {
            e.invoke(BatchedMatmul.class, "f64", "([DI[I[DI[I[DI)V");
            if (dtype.isInteger()) { // the exact sums wrap to the dtype, as the interpreter's
                e.array(result);
                e.offset(result);
                KernelArgs.dim(e, result.type().shape().numel());
                e.pushInt(dtype.intKind());
                e.invoke(dlc.numerics.Ints.class, "wrapAll", "([DIII)V");
            }
            return;
        }
        pushEpilogue(e, biasOrNull, biasKind, act);
        e.invoke(BatchedMatmul.class, "f32", "([FI[IZ[FI[IZ[FI[FIII)V");
    }

    /** The epilogue arguments of a GEMM call: the bias array and offset (null, 0 without one), its kind and the activation. */
    private static void pushEpilogue(KernelEmitter e, Value biasOrNull, int biasKind, int act) {
        if (biasOrNull == null) {
            e.mv().visitInsn(Opcodes.ACONST_NULL);
            e.pushInt(0);
        } else {
            e.array(biasOrNull);
            e.offset(biasOrNull);
        }
        e.pushInt(biasKind);
        e.pushInt(act);
    }

    /** {@code result = act(a @ b + bias)} with {@code b} a weight stored narrow: {@link NarrowGemm} reads it in its narrow form. */
    private static void emitNarrow(Value a, Value b, KernelEmitter e, Value biasOrNull, int biasKind, int act, Value result) {
        Value ta = e.transposedSource(a);
        e.array(ta != null ? ta : a);
        e.offset(ta != null ? ta : a);
        e.shape(promoted(a.type().shape(), true));
        e.mv().visitInsn(ta != null ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
        e.narrow(b);
        e.array(result);
        e.offset(result);
        pushEpilogue(e, biasOrNull, biasKind, act);
        e.invoke(NarrowGemm.class, "matmul", "([FI[IZLdlc/runtime/NarrowMatrix;[FI[FIII)V");
    }

    /** The bias must hold exactly N (column bias) or M (row bias) elements, the GEMM reads them contiguously. */
    private static void checkBias(Node matmul, Value bias, int biasKind) {
        List<Dim> ya = promoted(matmul.input(0).type().shape(), true).dims();
        List<Dim> yb = promoted(matmul.input(1).type().shape(), false).dims();
        Dim want = biasKind == Gemm.BIAS_COL ? yb.get(yb.size() - 1) : ya.get(ya.size() - 2);
        if (!bias.type().shape().numel().equals(want))
            throw new IllegalArgumentException("matmul epilogue bias " + bias + " must have " + want + " elements ("
                    + (biasKind == Gemm.BIAS_COL ? "one per column" : "one per row") + ")");
    }

    /** numpy's rank-1 promotion: a left vector [K] is the row [1, K], a right vector [K] the column [K, 1]. */
    static Shape promoted(Shape s, boolean left) {
        if (s.rank() != 1) return s;
        List<Dim> dims = new ArrayList<>(2);
        if (left) {
            dims.add(Dim.of(1));
            dims.add(s.dim(0));
        } else {
            dims.add(s.dim(0));
            dims.add(Dim.of(1));
        }
        return new Shape(dims);
    }
}
