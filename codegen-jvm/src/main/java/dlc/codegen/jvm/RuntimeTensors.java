package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.runtime.Tensor;

/** Interpreter tensors (float64 storage) as runtime tensors ({@code float[]} for f32, {@code double[]} otherwise). */
public final class RuntimeTensors {
    private RuntimeTensors() {}

    /** {@code t} in the runtime's storage (a copy); f16 has no runtime storage and is refused. */
    public static Tensor of(dlc.ir.eval.Tensor t) {
        double[] d = t.data();
        if (t.dtype() == DType.F16) throw new IllegalArgumentException("the JVM runtime has no f16 storage");
        if (t.dtype() == DType.F32) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return Tensor.of(f, t.shape());
        }
        return Tensor.of(t.dtype().text(), d.clone(), t.shape());
    }
}
