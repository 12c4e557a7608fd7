package dlc.ir;

import dlc.ir.ops.Ops;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Exact dim arithmetic and the sizes a tensor may have at run time. */
class SizesTest {
    @Test
    void dimArithmeticBeyond64BitsIsAnArithmeticExceptionNotAWrap() {
        Dim big = Dim.of(Long.MAX_VALUE / 2 + 1);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> big.times(2));
        assertTrue(e.getMessage().contains("beyond a 64-bit integer"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> Dim.of(Long.MAX_VALUE).plus(1));
        assertThrows(ArithmeticException.class, () -> Dim.sym("B").times(Long.MAX_VALUE).plus(Dim.sym("B").times(Long.MAX_VALUE)));
        assertEquals(Dim.of(Long.MIN_VALUE + 1).negate(), Dim.of(Long.MIN_VALUE + 1).floorDiv(Dim.of(-1)));
    }

    @Test
    void evaluationIsExactAndNamesADivisionByZero() {
        Dim bt = Dim.sym("B").times(Dim.sym("T"));
        assertThrows(ArithmeticException.class, () -> bt.eval(Map.of("B", 1L << 40, "T", 1L << 40)));
        Dim q = Dim.sym("B").floorDiv(Dim.sym("T"));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> q.eval(Map.of("B", 2L, "T", 0L)));
        assertTrue(e.getMessage().contains("divides by zero"), e.getMessage());
        assertEquals(2L, q.eval(Map.of("B", 4L, "T", 2L)));
    }

    @Test
    void shapeEvalRejectsWhatNoArrayHolds() {
        Shape s = Shape.of(Dim.sym("B"), Dim.of(2));
        assertArrayEquals(new int[]{5, 2}, s.eval(Map.of("B", 5L)));
        ShapeException big = assertThrows(ShapeException.class, () -> s.eval(Map.of("B", 3_000_000_000L)));
        assertTrue(big.getMessage().contains("more than a Java array holds"), big.getMessage());
        ShapeException numel = assertThrows(ShapeException.class, () -> s.eval(Map.of("B", 1L << 30)));
        assertTrue(numel.getMessage().contains("2147483648 elements"), numel.getMessage());
        ShapeException neg = assertThrows(ShapeException.class, () -> Shape.of(Dim.sym("T").minus(1)).eval(Map.of("T", 0L)));
        assertTrue(neg.getMessage().contains("negative"), neg.getMessage());
        assertTrue(neg.hint().contains("T - 1 needs T >= 1"), neg.hint());
        // an empty tensor with a huge other dim still has no array index past int
        assertThrows(ShapeException.class, () -> Shape.of(Dim.of(0), Dim.sym("N")).eval(Map.of("N", 1L << 33)));
    }

    @Test
    void graphCheckNamesTheValueAndItsSource() {
        GraphBuilder gb = new GraphBuilder("eval");
        Value a = gb.input("a", new TensorType(DType.F32, Shape.of(Dim.sym("N"), Dim.of(1))), Value.Role.INPUT);
        Value b = gb.input("b", new TensorType(DType.F32, Shape.of(Dim.of(1), Dim.sym("N"))), Value.Role.INPUT);
        Value c = gb.at(new SourceLoc("m.dl", 4, 14)).op(Ops.ADD, a, b);
        gb.output("c", Graph.Output.Role.OUTPUT, c);
        Graph g = gb.build();
        Sizes.check(g, Map.of("N", 1000L));
        Sizes.check(g, Map.of()); // nothing known: nothing to reject
        ShapeException e = assertThrows(ShapeException.class, () -> Sizes.check(g, Map.of("N", 100_000L)));
        assertEquals("m.dl:4:14: add (output 'c' of graph eval) gives f32[N, N] is [100000, 100000] with N = 100000: 10000000000 elements, "
                + "more than a Java array holds (2147483639)", e.getMessage());
    }
}
