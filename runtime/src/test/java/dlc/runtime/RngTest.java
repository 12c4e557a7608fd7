package dlc.runtime;

import dlc.ir.ops.Ops;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Shape;
import dlc.ir.eval.Tensor;
import dlc.numerics.Rng;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.Reference.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The draw kernels (f32 and f64 storage, offsets) give exactly the reference ops' values ({@link Rng} itself is pinned by RandomTest in ir). */
class RngTest {
    @Property
    void drawKernelsMatchTheOps(@ForAll long seed) {
        Random r = new Random(seed);
        double key = r.nextLong() & ((1L << 52) - 1);
        Tensor k = Tensor.scalar(DType.I64, key);
        int[] shape = randomShape(r, r.nextInt(3), 6);
        int n = numel(shape), off = r.nextInt(3);
        boolean normal = r.nextBoolean(), f32 = r.nextBoolean();
        double a = r.nextInt(5) - 2, b = a + r.nextInt(4);
        DType dt = f32 ? DType.F32 : DType.F64;
        Shape s = MovementTest.shapeOf(shape);
        Tensor want = normal
                ? eval(Ops.RANDOM_NORMAL, Attrs.of("shape", s, "dtype", dt, "mean", a, "std", b), k)
                : eval(Ops.RANDOM_UNIFORM, Attrs.of("shape", s, "dtype", dt, "low", a, "high", b), k);
        double[] kd = at(off, new double[]{key});
        if (f32) {
            float[] y = floatBuffer(off, n);
            if (normal) Rng.normal(kd, off, a, b, y, off, n); else Rng.uniform(kd, off, a, b, y, off, n);
            assertSame(want, y, off, normal ? "random_normal" : "random_uniform");
        } else {
            double[] y = doubleBuffer(off, n);
            if (normal) Rng.normal(kd, off, a, b, y, off, n); else Rng.uniform(kd, off, a, b, y, off, n);
            assertSame(want, y, off, normal ? "random_normal" : "random_uniform");
        }
    }

    @Property
    void foldKernelMatchesTheOp(@ForAll @LongRange(min = 0, max = (1L << 52) - 1) long key, @ForAll long salt) {
        Tensor want = eval(Ops.RNG_FOLD, Attrs.of("salt", salt), Tensor.scalar(DType.I64, key));
        double[] y = doubleBuffer(1, 1);
        Rng.fold(new double[]{0, key}, 1, salt, y, 1);
        assertSame(want, y, 1, "rng_fold");
    }

    @Test
    void badKeysFailLoudly() {
        assertThrows(IllegalArgumentException.class, () -> Rng.fold(new double[]{-1}, 0, 3, new double[1], 0));
        assertThrows(IllegalArgumentException.class, () -> Rng.uniform(new double[]{0.5}, 0, 0, 1, new float[1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Rng.normal(new double[]{0x1p53}, 0, 0, 1, new double[1], 0, 1));
    }
}
