package dlc.onnx;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.TensorType;

/**
 * What an ONNX value is while an import runs: a run-time tensor of the written model ({@link T},
 * a .dl expression and its type), or a value known at import time ({@link K}: a constant, an
 * initializer, or a shape computed from the inputs' dims, whose integers may be symbolic).
 */
sealed interface Imported {
    /** A tensor of the .dl model: {@code expr} is a variable name or a parenthesized expression. */
    record T(String expr, TensorType type) implements Imported {}

    /**
     * A value known at import time: integers as dims ({@code ints}, possibly symbolic such as
     * {@code B}), other types as numbers ({@code nums}); {@code onnxName} names an initializer
     * (its weights go to the checkpoint when the model needs it as a tensor), else null.
     */
    record K(DType dtype, int[] shape, double[] nums, Dim[] ints, String onnxName) implements Imported {
        int numel() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        boolean isInteger() { return ints != null; }

        /** The integers as longs; an {@link OnnxException} when one is symbolic. */
        long[] longs(String what) {
            long[] out = new long[ints.length];
            for (int i = 0; i < out.length; i++) {
                if (!ints[i].isConst()) throw new OnnxException(what + " must be known numbers, but it holds the symbolic size " + ints[i]);
                out[i] = ints[i].value();
            }
            return out;
        }

        double num(int i) { return ints != null ? ints[i].value() : nums[i]; }
    }
}
