package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Integer, f16 and gather semantics on the JVM backend equal the interpreter's bit for bit, and
 * both equal NumPy's values (written out here): integer ops wrap, division floors ({@code div},
 * {@code mod}) or truncates ({@code trunc_div}, {@code trunc_mod}), casts to f16 round to nearest
 * even, gather counts negative indices from the end. Each graph runs unfused and through the
 * standard pipeline (fusion puts the ops into one loop nest).
 */
class IntegerSemanticsJvmTest {
    private static Map<String, Tensor> both(String ir, Map<String, Tensor> in) {
        Graph g = IrParser.parseGraph(ir);
        Map<String, Tensor> ref = Interpreter.run(g, in);
        for (boolean optimize : new boolean[]{false, true}) {
            CompiledClasses cc = optimize ? JvmCompiler.compile(g, "dlc.gen.IntSem") : JvmCompiler.generate(g, "dlc.gen.IntSem");
            Agreement.verify(cc);
            Agreement.compare(ref, Agreement.run(cc.instantiate(), g, in), 0);
        }
        return ref;
    }

    private static Tensor t(DType d, double... v) { return new Tensor(d, new int[]{v.length}, v); }

    private static void assertValues(Tensor t, double... want) { assertArrayEquals(want, t.data(), t.toString()); }

    @Test void i32AndI64ArithmeticWraps() {
        String ir = """
                graph g(%a: i32[4], %b: i32[4], %c: i64[2], %d: i64[2]) {
                  %0 = mul(%a, %b) : i32[4]
                  %1 = add(%a, %b) : i32[4]
                  %2 = sub(%b, %a) : i32[4]
                  %3 = neg(%a) : i32[4]
                  %4 = mul(%c, %d) : i64[2]
                  %5 = sum(%1) {axes=[0], keepdims=false} : i32[]
                  output mul = %0
                  output add = %1
                  output sub = %2
                  output neg = %3
                  output mul64 = %4
                  output sum = %5
                }
                """;
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", t(DType.I32, 1073741824, 2147483647, -2147483648, 7));
        in.put("b", t(DType.I32, 4, 1, 1, -3));
        in.put("c", t(DType.I64, 4294967296.0, -3));
        in.put("d", t(DType.I64, 2097152, 5)); // 2^32 * 2^21 = 2^53, exact
        Map<String, Tensor> out = both(ir, in);
        assertValues(out.get("mul"), 0, 2147483647, -2147483648, -21);
        assertValues(out.get("add"), 1073741828, -2147483648, -2147483647, 4);
        assertValues(out.get("sub"), -1073741820, -2147483646, -2147483647, -10);
        assertValues(out.get("neg"), -1073741824, -2147483647, -2147483648, -7);
        assertValues(out.get("mul64"), 9007199254740992.0, -15);
        assertValues(out.get("sum"), 1073741828 + 4 - 2147483648L - 2147483647L + 4294967296L); // wrapped
    }

    @Test void integerMatmulWrapsItsExactSums() {
        String ir = """
                graph g(%a: i32[2, 2], %b: i32[2, 2], %c: u8[1, 3], %d: u8[3, 1]) {
                  %0 = matmul(%a, %b) : i32[2, 2]
                  %1 = matmul(%c, %d) : u8[1, 1]
                  output ab = %0
                  output cd = %1
                }
                """;
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", new Tensor(DType.I32, new int[]{2, 2}, new double[]{65536, 65536, 1, 2}));
        in.put("b", new Tensor(DType.I32, new int[]{2, 2}, new double[]{32768, 1, 32768, 3}));
        in.put("c", new Tensor(DType.U8, new int[]{1, 3}, new double[]{200, 100, 1}));
        in.put("d", new Tensor(DType.U8, new int[]{3, 1}, new double[]{2, 3, 4}));
        Map<String, Tensor> out = both(ir, in);
        // numpy: a @ b with int32 = [[0, 262144], [98304, 7]]; (c @ d) with uint8 = 704 mod 256 = 192
        assertValues(out.get("ab"), 0, 262144, 98304, 7);
        assertValues(out.get("cd"), 192);
    }

    @Test void u8AndI8WrapCastAndCompareLikeNumpy() {
        String ir = """
                graph g(%x: u8[4], %k: i8[3]) {
                  %0 = add(%x, %x) : u8[4]
                  %1 = mul(%k, %k) : i8[3]
                  %c100 = constant() {dtype=i8, shape=<>, values=[100.0]} : i8[]
                  %2 = sub(%k, %c100) : i8[3]
                  %c128 = constant() {dtype=u8, shape=<>, values=[128.0]} : u8[]
                  %3 = gt(%x, %c128) : bool[4]
                  %4 = cast(%x) {dtype=f32} : f32[4]
                  %5 = cast(%k) {dtype=u8} : u8[3]
                  %6 = cast(%4) {dtype=i8} : i8[4]
                  %7 = sum(%x) {axes=[0], keepdims=false} : u8[]
                  output w = %0
                  output sq = %1
                  output m = %2
                  output big = %3
                  output f = %4
                  output ku = %5
                  output sat = %6
                  output s = %7
                }
                """;
        Map<String, Tensor> out = both(ir, Map.of("x", t(DType.U8, 0, 100, 200, 255), "k", t(DType.I8, -1, 100, -128)));
        assertValues(out.get("w"), 0, 200, 144, 254);
        assertValues(out.get("sq"), 1, 16, 0);
        assertValues(out.get("m"), -101, 0, 28);
        assertValues(out.get("big"), 0, 0, 1, 1);
        assertValues(out.get("f"), 0, 100, 200, 255);
        assertValues(out.get("ku"), 255, 100, 128);
        assertValues(out.get("sat"), 0, 100, 127, 127); // float -> integer saturates (documented; NumPy leaves it undefined)
        assertValues(out.get("s"), 43);                 // 555 mod 256
    }

    @Test void floorAndTruncatingDivisionOnIntegersAndFloats() {
        String ir = """
                graph g(%a: i32[4], %b: i32[4], %x: f32[4], %y: f32[4]) {
                  %0 = div(%a, %b) : i32[4]
                  %1 = mod(%a, %b) : i32[4]
                  %2 = trunc_div(%a, %b) : i32[4]
                  %3 = trunc_mod(%a, %b) : i32[4]
                  %4 = trunc_div(%x, %y) : f32[4]
                  %5 = trunc_mod(%x, %y) : f32[4]
                  %6 = mod(%x, %y) : f32[4]
                  output div = %0
                  output mod = %1
                  output tdiv = %2
                  output tmod = %3
                  output ftdiv = %4
                  output ftmod = %5
                  output fmod = %6
                }
                """;
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", t(DType.I32, -7, 7, -7, 7));
        in.put("b", t(DType.I32, 2, -2, -2, 2));
        in.put("x", t(DType.F32, -7.5, 7.5, -7.5, 7.5));
        in.put("y", t(DType.F32, 2, -2, -2, 2));
        Map<String, Tensor> out = both(ir, in);
        assertValues(out.get("div"), -4, -4, 3, 3);
        assertValues(out.get("mod"), 1, -1, -1, 1);
        assertValues(out.get("tdiv"), -3, -3, 3, 3);
        assertValues(out.get("tmod"), -1, 1, -1, 1);
        assertValues(out.get("ftdiv"), -3, -3, 3, 3);
        assertValues(out.get("ftmod"), -1.5, 1.5, -1.5, 1.5); // C fmod: the dividend's sign
        assertValues(out.get("fmod"), 0.5, -0.5, -1.5, 1.5);  // floor mod: the divisor's sign
    }

    @Test void integerDivisionByZeroFailsOnBothBackends() {
        Graph g = IrParser.parseGraph("""
                graph g(%a: i32[2], %b: i32[2]) {
                  %0 = trunc_div(%a, %b) : i32[2]
                  output q = %0
                }
                """);
        Map<String, Tensor> in = Map.of("a", t(DType.I32, 1, 2), "b", t(DType.I32, 1, 0));
        assertThrows(Interpreter.EvalException.class, () -> Interpreter.run(g, in));
        RuntimeException e = assertThrows(dlc.runtime.OpFailure.class,
                () -> Agreement.run(JvmCompiler.generate(g, "dlc.gen.Div0").instantiate(), g, in));
        assertTrue(e.getMessage().startsWith("trunc_div at ") && e.getMessage().endsWith("integer trunc_div by zero"), e.getMessage());
    }

    @Test void castToF16RoundsToNearestEven() {
        String ir = """
                graph g(%x: f32[7]) {
                  %0 = cast(%x) {dtype=f16} : f16[7]
                  %1 = cast(%0) {dtype=f32} : f32[7]
                  output h = %1
                }
                """;
        // numpy: x.astype(np.float16).astype(np.float32)
        Map<String, Tensor> out = both(ir, Map.of("x", t(DType.F32, (float) (1.0 / 3), 65519, 65520, 3e-8, 2049, 2051, -1e-10)));
        assertValues(out.get("h"), 0.333251953125, 65504, Double.POSITIVE_INFINITY, 5.960464477539063e-08, 2048, 2052, -0.0);
    }

    @Test void gatherCountsNegativeIndicesFromTheEndAndAcceptsSmallIntegerIndices() {
        String ir = """
                graph g(%x: f32[5, 2], %i: i8[3], %j: u8[2]) {
                  %0 = gather(%x, %i) {axis=0} : f32[3, 2]
                  %1 = gather(%x, %j) {axis=0} : f32[2, 2]
                  output a = %0
                  output b = %1
                }
                """;
        Tensor x = new Tensor(DType.F32, new int[]{5, 2}, new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        Map<String, Tensor> out = both(ir, Map.of("x", x, "i", t(DType.I8, -1, 2, -5), "j", t(DType.U8, 4, 0)));
        assertValues(out.get("a"), 8, 9, 4, 5, 0, 1);
        assertValues(out.get("b"), 8, 9, 0, 1);
    }
}
