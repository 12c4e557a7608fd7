package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dlc.ir.ops.ReduceMovementTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Reduce and movement ops written in the text IR: the attribute values the parser produces
 * (shapes, integer lists, -inf, integer-valued lists) are the ones the shape rules accept, the
 * verifier agrees with the declared types, and the program runs to hand-computed values.
 */
class MovementTextIrTest {
    private static final String PROGRAM = """
            graph lookup(%x: f64[B, T], %table: f64[V, 2], %tok: i32[B, T]) {
              %e = gather(%table, %tok) {axis=0} : f64[B, T, 2]
              %s = sum(%e) {axes=[2]} : f64[B, T]
              %next = slice(%s) {starts=<0, 1>, stops=<B, T>, steps=[1, 1]} : f64[B, T - 1]
              %p = pad(%next) {high=[0, 1], low=[0, 0], value=-inf} : f64[B, T]
              %m = max(%p) {axes=[1], keepdims=true} : f64[B, 1]
              %pos = iota() {axis=1, dtype=i64, shape=<B, T>} : i64[B, T]
              %k = constant() {dtype=f64, shape=<2>, values=[10, 20]} : f64[2]
              %flat = reshape(%x) {shape=<B*T>} : f64[B*T]
              %rev = reverse(%flat) {axes=[0]} : f64[B*T]
              %j = argmax(%x) {axis=1} : i64[B]
              %xt = permute(%x) {perm=[1, 0]} : f64[T, B]
              %both = concat(%x, %x) {axis=1} : f64[B, 2*T]
              %bk = broadcast_to(%k) {shape=<B, 2>} : f64[B, 2]
              %grad = scatter_add(%table, %tok, %e) {axis=0} : f64[V, 2]
              output m = %m
              output pos = %pos
              output rev = %rev
              output j = %j
              output xt = %xt
              output both = %both
              output bk = %bk
              output grad = %grad
            }
            """;

    @Test
    void programParsesVerifiesRunsAndPrintsBack() {
        Graph g = IrParser.parseGraph(PROGRAM);
        Verifier.verify(g);
        Graph again = IrParser.parseGraph(IrPrinter.print(g));
        assertTrue(GraphEquivalence.equivalent(g, again), IrPrinter.print(g));

        Tensor x = t(dims(1, 3), 3, 9, 1);
        Tensor table = t(dims(2, 2), 1, 2, 3, 4);
        Tensor tok = t(DType.I32, dims(1, 3), 1, 0, 1);
        Map<String, Tensor> out = Interpreter.run(g, Map.of("x", x, "table", table, "tok", tok));
        // row sums of the looked-up rows: [7, 3, 7]; shift left by one: [3, 7]; pad with -inf; max 7
        assertEquals(t(dims(1, 1), 7), out.get("m"));
        assertEquals(t(DType.I64, dims(1, 3), 0, 1, 2), out.get("pos"));
        assertEquals(t(dims(3), 1, 9, 3), out.get("rev"));
        assertEquals(t(DType.I64, dims(1), 1), out.get("j"));
        assertEquals(t(dims(3, 1), 3, 9, 1), out.get("xt"));
        assertEquals(t(dims(1, 6), 3, 9, 1, 3, 9, 1), out.get("both"));
        assertEquals(t(dims(1, 2), 10, 20), out.get("bk"));
        // table plus each looked-up row added back where it came from: row 1 twice, row 0 once
        assertEquals(t(dims(2, 2), 2, 4, 9, 12), out.get("grad"));
    }

    @Test
    void verifierReportsAWrongDeclaredSliceType() {
        String bad = PROGRAM.replace("f64[B, T - 1]", "f64[B, T]");
        var e = assertThrows(Verifier.VerificationException.class, () -> Verifier.verify(IrParser.parseGraph(bad)));
        assertTrue(e.getMessage().contains("slice"), e.getMessage());
    }
}
