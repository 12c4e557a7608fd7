package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The vector loops of {@link VecMath}; loaded only when {@link VecSupport#ENABLED}. */
final class VecMathKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VecMathKernels() {}

    static void apply(int op, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0, bound = S.loopBound(n);
        switch (op) {
            case VecMath.EXP -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.EXP).intoArray(y, yo + i); }
            case VecMath.LOG -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.LOG).intoArray(y, yo + i); }
            case VecMath.LOG1P -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.LOG1P).intoArray(y, yo + i); }
            case VecMath.EXPM1 -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.EXPM1).intoArray(y, yo + i); }
            case VecMath.TANH -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.TANH).intoArray(y, yo + i); }
            case VecMath.SIN -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.SIN).intoArray(y, yo + i); }
            case VecMath.COS -> { for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.COS).intoArray(y, yo + i); }
            case VecMath.SIGMOID -> {
                // 1 / (1 + exp(-x)); exp(-x) overflows to +inf for very negative x, giving 0
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += S.length()) {
                    FloatVector e = FloatVector.fromArray(S, x, xo + i).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(one)).intoArray(y, yo + i);
                }
            }
            default -> throw new IllegalArgumentException("no VecMath op " + op);
        }
        VecMath.scalar(op, x, xo, y, yo, i, n);
    }
}
