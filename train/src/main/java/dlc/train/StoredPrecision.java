package dlc.train;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

/**
 * Rounds a tensor to what its dtype can hold. The interpreter computes f32 values in float64; the
 * trainer rounds the running state (parameters, optimizer state) to f32 after every step, as an f32
 * backend stores it. That makes a checkpoint (which stores f32 as f32) hold the state exactly, so a
 * resumed run continues bit for bit.
 */
final class StoredPrecision {
    private StoredPrecision() {}

    /** {@code t} with every value rounded to its dtype (f32 and f16 to float, others unchanged). */
    static Tensor round(Tensor t) {
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16) return t;
        double[] d = t.data(), r = new double[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (float) d[i];
        return new Tensor(t.dtype(), t.shape(), r);
    }
}
