package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Compile-time folding and tensor lowering agree with plain arithmetic: a random expression over
 * literals and one tensor x is lowered (its constant subtrees fold, the rest becomes IR) and the
 * eval graph's value equals the expression computed directly in double precision.
 */
class FoldingPropertyTest {
    /** An expression's source text and its value as a function of x. */
    record Expr(String text, DoubleUnaryOperator value) {}

    @Provide
    Arbitrary<Expr> exprs() {
        Arbitrary<Expr> ints = Arbitraries.integers().between(1, 9).map(i -> new Expr(Integer.toString(i), x -> i));
        Arbitrary<Expr> floats = Arbitraries.of(0.5, 1.25, 2.5, 3.75).map(f -> new Expr(Double.toString(f), x -> f));
        Arbitrary<Expr> var = Arbitraries.just(new Expr("x", x -> x));
        Arbitrary<Expr> leaf = Arbitraries.oneOf(ints, floats, var);
        return Arbitraries.recursive(() -> leaf, this::combine, 1, 4);
    }

    private Arbitrary<Expr> combine(Arbitrary<Expr> sub) {
        Arbitrary<Expr> binary = Combinators.combine(sub, sub, Arbitraries.of("+", "-", "*")).as((a, b, op) ->
                new Expr("(" + a.text() + " " + op + " " + b.text() + ")", x -> switch (op) {
                    case "+" -> a.value().applyAsDouble(x) + b.value().applyAsDouble(x);
                    case "-" -> a.value().applyAsDouble(x) - b.value().applyAsDouble(x);
                    default -> a.value().applyAsDouble(x) * b.value().applyAsDouble(x);
                }));
        // division by a nonzero literal, exact (6 / 3) or not (7 / 2): both mean true division
        Arbitrary<Expr> div = Combinators.combine(sub, Arbitraries.integers().between(1, 4)).as((a, d) ->
                new Expr("(" + a.text() + " / " + d + ")", x -> a.value().applyAsDouble(x) / d));
        Arbitrary<Expr> neg = sub.map(a -> new Expr("(-" + a.text() + ")", x -> -a.value().applyAsDouble(x)));
        Arbitrary<Expr> sq = sub.map(a -> new Expr("(" + a.text() + " ** 2)", x -> Math.pow(a.value().applyAsDouble(x), 2)));
        return Arbitraries.oneOf(binary, div, neg, sq);
    }

    @Property
    void loweredExpressionMatchesDirectArithmetic(@ForAll("exprs") Expr e, @ForAll("xs") double x) {
        Compilation c = TestSupport.compile("model M {\n  input x: f64[]\n  output y = x - x + " + e.text() + "\n}\n", null, Map.of());
        assertTrue(c.ok(), () -> e.text() + "\n" + c.render());
        Graph eval = c.module().graph("eval").orElseThrow();
        double got = TestSupport.run(eval, Map.of("x", Tensor.scalar(DType.F64, x))).get("y").item();
        double want = e.value().applyAsDouble(x);
        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), e.text() + " at x = " + x);
    }

    @Provide
    Arbitrary<Double> xs() { return Arbitraries.of(-2.0, -0.5, 0.0, 1.0, 3.0); }
}
