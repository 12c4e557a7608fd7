package dlc.codegen.jvm;

import dlc.ir.text.IrParser;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * where(c, a, b) runs without a branch (a mask and bit operations, ElementwiseCode.WHERE): the
 * result must still be exactly the selected operand, bit for bit, for the values a mask and xor
 * could get wrong: both zeros, NaNs with payloads, infinities, denormals, and integers past 2^53
 * (stored as doubles: the long-bits path).
 */
class WhereBitsTest {
    private static final float[] F = {
            0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffa00001), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_NORMAL, 1.5f, -3.25e30f, 7f};

    @Test
    void f32SelectsTheOperandsBits() {
        int n = F.length * F.length;
        float[] a = new float[n], b = new float[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = F[i / F.length];
            b[i] = F[i % F.length];
            c[i] = (i * 7 + i / 3) % 2;
        }
        float[] y = run("f32", n, c, Tensor.of(a, n), Tensor.of(b, n)).floats();
        for (int i = 0; i < n; i++) {
            int want = Float.floatToRawIntBits(c[i] != 0 ? a[i] : b[i]), got = Float.floatToRawIntBits(y[i]);
            if (want != got) throw new AssertionError("where(" + c[i] + ", " + a[i] + ", " + b[i] + ") gave bits "
                    + Integer.toHexString(got) + ", want " + Integer.toHexString(want));
        }
    }

    @Test
    void f64AndI64SelectTheOperandsBits() {
        double[] d = {0.0, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff8000000abcdefL), Double.NEGATIVE_INFINITY, 4.9e-324, 0.1, -1e300};
        double[] ints = {0, -1, 9007199254740993.0, -9007199254740992.0 * 4, 123456789012345.0, 1, 2, 3};
        for (String dtype : new String[]{"f64", "i64"}) {
            double[] vals = dtype.equals("f64") ? d : ints;
            int n = vals.length * vals.length;
            double[] a = new double[n], b = new double[n], c = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = vals[i / vals.length];
                b[i] = vals[i % vals.length];
                c[i] = (i / 2 + i % 3) % 2;
            }
            double[] y = run(dtype, n, c, Tensor.of(dtype, a, n), Tensor.of(dtype, b, n)).doubles();
            for (int i = 0; i < n; i++) {
                long want = Double.doubleToRawLongBits(c[i] != 0 ? a[i] : b[i]), got = Double.doubleToRawLongBits(y[i]);
                if (want != got) throw new AssertionError(dtype + " where(" + c[i] + ", " + a[i] + ", " + b[i] + ") gave " + y[i]);
            }
        }
    }

    private static Tensor run(String dtype, int n, double[] c, Tensor a, Tensor b) {
        var g = IrParser.parseGraph("""
                graph w(%c: bool[N], %a: T[N], %b: T[N]) {
                  %0 = where(%c, %a, %b) : T[N]
                  output y = %0
                }
                """.replace("T[", dtype + "[").replace("N", Integer.toString(n)));
        CompiledClasses cc = JvmCompiler.generate(g, "dlc.gen.WhereBits" + dtype);
        Agreement.verify(cc);
        CompiledGraph cg = cc.instantiate();
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("c", Tensor.of("bool", c, n));
        in.put("a", a);
        in.put("b", b);
        return cg.run(in).get("y");
    }
}
