package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dlc.passes.simplify.Pattern.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Pattern matching: a rule written once with its constant on the right matches a commutative op
 * with the operands either way round (and only a commutative one), nested commutative ops
 * backtrack over every combination of orders, and a variable used twice binds one value.
 */
class PatternTest {
    private static final Graph G = IrParser.parseGraph("""
            graph f(%x: f32[3], %y: f32[3]) {
              %one = constant() {dtype=f32, shape=<>, values=[1.0]} : f32[]
              %two = constant() {dtype=f32, shape=<>, values=[2.0]} : f32[]
              %zero = constant() {dtype=f32, shape=<>, values=[0.0]} : f32[]
              %xone = mul(%x, %one) : f32[3]
              %onex = mul(%one, %x) : f32[3]
              %xzero = sub(%x, %zero) : f32[3]
              %zerox = sub(%zero, %x) : f32[3]
              %twoy = mul(%two, %y) : f32[3]
              %n = add(%twoy, %y) : f32[3]
              %m = add(%y, %twoy) : f32[3]
              %k = add(%x, %twoy) : f32[3]
              output a = %n
            }
            """);

    private static Node at(String name) {
        return G.nodes().stream().filter(n -> n.output().name().equals(name)).findFirst().orElseThrow();
    }

    private static Value value(String name) { return at(name).output(); }

    @Test
    void aCommutativeOpMatchesWithTheOperandsSwapped() {
        Pattern xTimesOne = op(Ops.MUL, var("x"), splat(1));
        Value x = G.inputs().get(0);
        assertSame(x, xTimesOne.match(at("xone")).orElseThrow().get("x"));
        assertSame(x, xTimesOne.match(at("onex")).orElseThrow().get("x"));
    }

    @Test
    void aNonCommutativeOpMatchesOnlyAsWritten() {
        Pattern xMinusZero = op(Ops.SUB, var("x"), splat(0));
        assertTrue(xMinusZero.match(at("xzero")).isPresent());
        assertEquals(Optional.empty(), xMinusZero.match(at("zerox")));
    }

    @Test
    void nestedCommutativeOpsBacktrackOverEveryOrder() {
        // (2 * y) + y and y + (y * 2), written once as x + x*2 with x bound once
        Pattern p = op(Ops.ADD, var("y"), op(Ops.MUL, var("y"), splat(2)));
        Value y = G.inputs().get(1);
        assertSame(y, p.match(at("n")).orElseThrow().get("y"));
        assertSame(y, p.match(at("m")).orElseThrow().get("y"));
        // x + 2*y: the repeated variable must be one value, in every order tried
        assertEquals(Optional.empty(), p.match(at("k")));
    }

    @Test
    void aFailedAlternativeLeavesNoBindingBehind() {
        // on %n = add(%twoy, %y) the written order binds b = %twoy and then fails (%y is no mul);
        // the swapped order must start clean, or the stale b would reject b = %y
        Pattern p = op(Ops.ADD, var("b"), node("inner", Ops.MUL, splat(2), var("a")));
        Pattern.Match m = p.match(at("n")).orElseThrow();
        Value y = G.inputs().get(1);
        assertSame(y, m.get("b"));
        assertSame(y, m.get("a"));
        assertSame(value("twoy"), m.node("inner").output());
    }

    @Test
    void aBroadcastSplatOverSymbolicDimsIsASplat() {
        // constant folding cannot make a constant of shape [B, 3] (B symbolic): the zero stays a
        // broadcast, and x + broadcast(0) must still be x (a scan body's zero cotangent)
        Graph g = IrParser.parseGraph("""
                graph f(%x: f32[B, 3]) {
                  %zero = constant() {dtype=f32, shape=<>, values=[0.0]} : f32[]
                  %zeros = broadcast_to(%zero) {shape=<B, 3>} : f32[B, 3]
                  %s = add(%x, %zeros) : f32[B, 3]
                  output y = %s
                }
                """);
        Node add = g.nodes().stream().filter(n -> n.op() == Ops.ADD).findFirst().orElseThrow();
        assertTrue(op(Ops.ADD, var("x"), splat(0)).match(add).isPresent());
        assertFalse(op(Ops.ADD, var("x"), splat(1)).match(add).isPresent());
        Graph simplified = new Simplify().run(g);
        assertSame(simplified.inputs().get(0), simplified.outputs().get(0).value(), simplified::toString);
    }
}
