package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** The i8 and u8 dtypes and trunc_div / trunc_mod in source: declared, cast, folded, and literals range-checked. */
class SmallIntegersTest {
    @Test
    void u8AndI8AreDtypesOfInputsCastsAndConstants() {
        Compilation c = ok("""
                model M {
                  input img: u8[N]
                  input k: i8[N]
                  output f = cast(img, f32) / 255.0
                  output w = img + 200
                  output d = k * k
                  output c = cast(300, u8)
                  output m1 = cast(-1, u8)
                  output t = trunc_div(k, 2)
                  output r = trunc_mod(k, 2)
                  output q = k / 2
                }
                """);
        Map<String, Tensor> out = run(graph(c, "eval"), Map.of(
                "img", new Tensor(DType.U8, new int[]{3}, new double[]{0, 100, 255}),
                "k", new Tensor(DType.I8, new int[]{3}, new double[]{-7, 100, -128})));
        assertEquals(DType.U8, out.get("w").dtype());
        assertArrayEquals(new double[]{200, 44, 199}, out.get("w").data(), "u8 wraps modulo 256");
        assertArrayEquals(new double[]{49, 16, 0}, out.get("d").data(), "i8 wraps: 10000 -> 16, 16384 -> 0");
        assertEquals(44.0, out.get("c").item(), "an integer cast of a number wraps as at run time");
        assertEquals(255.0, out.get("m1").item());
        assertArrayEquals(new double[]{-3, 50, -64}, out.get("t").data(), "trunc_div rounds toward zero");
        assertArrayEquals(new double[]{-1, 0, 0}, out.get("r").data(), "trunc_mod has the dividend's sign");
        assertArrayEquals(new double[]{-4, 50, -64}, out.get("q").data(), "/ on integers floors");
    }

    @Test
    void truncDivFoldsOnNumbers() {
        Compilation c = ok("""
                model M {
                  input x: f32[3]
                  output y = x * trunc_div(-7, 2) + trunc_mod(-7, 2)
                }
                """);
        Map<String, Tensor> out = run(graph(c, "eval"), Map.of("x", new Tensor(DType.F32, new int[]{3}, new double[]{1, 2, 3})));
        assertArrayEquals(new double[]{-4, -7, -10}, out.get("y").data()); // -3 x - 1
    }

    @Test
    void aLiteralOutsideTheTensorsDtypeIsAnError() {
        String out = errors("""
                model M {
                  input x: u8[3]
                  output y = x + 256
                }
                """);
        assertTrue(out.contains("the integer 256 is out of range for dtype u8"), out);
        String neg = errors("""
                model M {
                  input x: i32[3]
                  output y = x * 2147483648
                }
                """);
        assertTrue(neg.contains("the integer 2147483648 is out of range for dtype i32"), neg);
        String zero = errors("""
                model M {
                  input x: f32[3]
                  output y = x + trunc_div(1, 0)
                }
                """);
        assertTrue(zero.contains("trunc_div of the integer 1 by zero"), zero);
    }
}
