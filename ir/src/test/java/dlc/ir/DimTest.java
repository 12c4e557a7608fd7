package dlc.ir;

import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DimTest {
    @Test
    void canonicalFormMakesEqualExpressionsEqual() {
        Dim b = Dim.sym("B"), t = Dim.sym("T");
        assertEquals(b.times(t), t.times(b));
        assertEquals(b.plus(b), b.times(2));
        assertEquals(Dim.of(0), b.minus(b));
        assertEquals(b, b.times(t).floorDiv(t));
        assertEquals(Dim.sym("H"), Dim.sym("H").times(4).floorDiv(Dim.of(4)));
    }

    @Test
    void inexactDivisionIsAnOpaqueAtomThatStillEvaluates() {
        Dim h = Dim.sym("H");
        Dim out = h.plus(2).minus(3).floorDiv(Dim.of(2)).plus(1); // conv output size, k=3 p=1 s=2
        assertFalse(out.isConst());
        assertEquals(Math.floorDiv(28 + 2 - 3, 2) + 1, out.eval(Map.of("H", 28L)));
        assertEquals(out, Dim.parse(out.toString()));
        assertEquals(Dim.of(14), out.substitute(Map.of("H", Dim.of(28))));
    }

    @Test
    void unboundSymbolIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Dim.sym("B").eval(Map.of()));
        assertTrue(e.getMessage().contains("B"));
    }

    @Provide
    Arbitrary<Dim> dims() {
        Arbitrary<Dim> leaf = Arbitraries.oneOf(Arbitraries.longs().between(-9, 9).map(Dim::of),
                Arbitraries.of("B", "T", "H", "W").map(Dim::sym));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
                Combinators.combine(inner, inner).as(Dim::plus),
                Combinators.combine(inner, inner).as(Dim::times),
                Combinators.combine(inner, Arbitraries.longs().between(1, 5)).as((a, k) -> a.floorDiv(Dim.of(k)))), 0, 3);
    }

    @Property
    void printedDimParsesBackEqual(@ForAll("dims") Dim d) {
        assertEquals(d, Dim.parse(d.toString()));
    }

    @Property
    void canonicalizationPreservesValue(@ForAll("dims") Dim a, @ForAll("dims") Dim b) {
        Map<String, Long> env = Map.of("B", 3L, "T", 5L, "H", 7L, "W", 2L);
        assertEquals(a.eval(env) + b.eval(env), a.plus(b).eval(env));
        assertEquals(a.eval(env) * b.eval(env), a.times(b).eval(env));
        assertEquals(a.plus(b).eval(env), b.plus(a).eval(env));
    }
}
