package dlc.ir;

import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class VerifierTest {
    private static final TensorType F = TensorType.of(DType.F32, 4);

    @Test
    void wellFormedGraphVerifies() {
        Verifier.verify(IrParser.parseGraph("""
                graph g(%x: f32[B, 1], param %w: f32[1, T]) {
                  %0 = mul(%x, %w) : f32[B, T]
                  %1 = lt(%0, %x) : bool[B, T]
                  %2 = where(%1, %0, %w) : f32[B, T]
                  output y = %2
                }
                """));
    }

    @Test
    void useBeforeDefinitionIsReported() {
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Node first = new Node(Ops.NEG, List.of(x), Attrs.EMPTY, List.of(), List.of(F), null, SourceLoc.UNKNOWN);
        Node second = new Node(Ops.EXP, List.of(first.output()), Attrs.EMPTY, List.of(), List.of(F), null, new SourceLoc("a.dl", 2, 5));
        Graph g = new Graph("g", List.of(x), List.of(second, first), List.of(new Graph.Output("y", Graph.Output.Role.OUTPUT, first.output())));
        List<String> p = Verifier.check(g);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("graph g, node 0 (exp at a.dl:2:5): operand 0"), p.get(0));
        assertTrue(p.get(0).contains("not defined before use"), p.get(0));
    }

    @Test
    void duplicateDefinitionIsReported() {
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Node n = new Node(Ops.NEG, List.of(x), Attrs.EMPTY, List.of(), List.of(F), null, SourceLoc.UNKNOWN);
        Graph g = new Graph("g", List.of(x), List.of(n, n), List.of());
        assertTrue(Verifier.check(g).stream().anyMatch(s -> s.contains("defined twice")), Verifier.check(g).toString());
    }

    @Test
    void wrongOperandCountAndWrongDeclaredTypeAreReported() {
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Node add = new Node(Ops.ADD, List.of(x), Attrs.EMPTY, List.of(), List.of(F), null, SourceLoc.UNKNOWN);
        Node neg = new Node(Ops.NEG, List.of(x), Attrs.EMPTY, List.of(), List.of(TensorType.of(DType.F64, 4)), null, SourceLoc.UNKNOWN);
        List<String> p = Verifier.check(new Graph("g", List.of(x), List.of(add, neg), List.of()));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("add takes 2 operands, got 1"), p.get(0));
        assertTrue(p.get(1).contains("declared result types [f64[4]] but the shape rule gives [f32[4]]"), p.get(1));
    }

    @Test
    void unregisteredOpAndWrongRegionCountAreReported() {
        OpDef fake = new OpDef("neg", OpDef.Kind.ELEMENTWISE) {
            @Override public List<TensorType> infer(List<TensorType> in, Attrs a, List<Graph> r) { return in; }

            @Override public dlc.ir.eval.Tensor[] eval(dlc.ir.eval.Tensor[] in, Attrs a, List<Graph> r, dlc.ir.eval.EvalContext c) { return in; }
        };
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Graph body = new Graph("body", List.of(), List.of(), List.of());
        Node n = new Node(fake, List.of(x), Attrs.EMPTY, List.of(), List.of(F), null, SourceLoc.UNKNOWN);
        Node m = new Node(Ops.EXP, List.of(x), Attrs.EMPTY, List.of(body), List.of(F), null, SourceLoc.UNKNOWN);
        List<String> p = Verifier.check(new Graph("g", List.of(x), List.of(n, m), List.of()));
        assertTrue(p.get(0).contains("op neg is not a registered op"), p.toString());
        assertTrue(p.get(1).contains("exp takes 0 nested graphs, got 1"), p.toString());
    }

    @Test
    void badAttributeKindIsReportedNotThrown() {
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Node n = new Node(Ops.CAST, List.of(x), Attrs.of("dtype", 3L), List.of(), List.of(F), null, SourceLoc.UNKNOWN);
        List<String> p = Verifier.check(new Graph("g", List.of(x), List.of(n), List.of()));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("{dtype=3}"), p.get(0));
    }

    @Test
    void outputsMustBeDefinedUniqueAndLossesScalar() {
        Value x = Value.graphInput("x", F, Value.Role.INPUT);
        Value stranger = Value.graphInput("s", F, Value.Role.INPUT);
        Graph g = new Graph("g", List.of(x, Value.graphInput("x", F, Value.Role.PARAM)), List.of(), List.of(
                new Graph.Output("y", Graph.Output.Role.OUTPUT, stranger),
                new Graph.Output("y", Graph.Output.Role.OUTPUT, x),
                new Graph.Output("y", Graph.Output.Role.UPDATE, x),
                new Graph.Output("l", Graph.Output.Role.LOSS, x)));
        List<String> p = Verifier.check(g);
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(0).contains("two inputs are named x"), p.get(0));
        assertTrue(p.get(1).contains("output y uses s: f32[4], which is not defined"), p.get(1));
        assertTrue(p.get(2).contains("two output outputs are named y"), p.get(2));
        assertTrue(p.get(3).contains("loss l must be a scalar, got f32[4]"), p.get(3));
        var e = assertThrows(Verifier.VerificationException.class, () -> Verifier.verify(g));
        assertEquals(p, e.problems());
    }

    @Test
    void nestedGraphsAreClosedAndTheirSignatureIsChecked() {
        TensorType c = TensorType.of(DType.F32, 3);
        Value outer = Value.graphInput("x", TensorType.of(DType.F32, 5, 3), Value.Role.INPUT);
        Value h = Value.graphInput("h", c, Value.Role.INPUT), xt = Value.graphInput("x_t", c, Value.Role.INPUT);
        // the body uses the outer x instead of taking it as a captured input
        Node leak = new Node(Ops.ADD, List.of(h, outer), Attrs.EMPTY, List.of(), List.of(outer.type()), null, SourceLoc.UNKNOWN);
        Graph body = new Graph("body", List.of(h, xt), List.of(leak), List.of(new Graph.Output("0", Graph.Output.Role.OUTPUT, h)));
        Node scan = new Node(Ops.SCAN, List.of(h, outer), Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(body), List.of(c), null, SourceLoc.UNKNOWN);
        List<String> p = Verifier.check(new Graph("g", List.of(outer), List.of(scan), List.of()));
        assertTrue(p.stream().anyMatch(s -> s.startsWith("graph g, node 0 (scan), nested graph 0 (body), node 0 (add): operand 1")), p.toString());
        // the scan's own operand h belongs to the body, not to g
        assertTrue(p.stream().anyMatch(s -> s.startsWith("graph g, node 0 (scan): operand 0")), p.toString());

        Graph wrongBody = new Graph("body", List.of(Value.graphInput("h", TensorType.of(DType.F32, 4), Value.Role.INPUT), xt), List.of(),
                List.of(new Graph.Output("0", Graph.Output.Role.OUTPUT, xt)));
        Value init = Value.graphInput("init", c, Value.Role.INPUT);
        Node bad = new Node(Ops.SCAN, List.of(init, outer), Attrs.of("num_carries", 1L, "num_xs", 1L), List.of(wrongBody), List.of(c), null, SourceLoc.UNKNOWN);
        List<String> q = Verifier.check(new Graph("g", List.of(outer, init), List.of(bad), List.of()));
        assertEquals(1, q.size(), q.toString());
        assertTrue(q.get(0).contains("scan body input 0 (carry 0) is f32[4] but the scan passes f32[3]"), q.get(0));
    }

    @Test
    void gradientsAreNamedAfterAnInputAndHaveItsType() {
        Value x = Value.graphInput("x", F, Value.Role.PARAM);
        Node n = new Node(Ops.SUM, List.of(x), Attrs.of("axes", List.of(0L)), List.of(), List.of(TensorType.scalar(DType.F32)), null, SourceLoc.UNKNOWN);
        Graph g = new Graph("g", List.of(x), List.of(n), List.of(
                new Graph.Output("x", Graph.Output.Role.GRAD, x),
                new Graph.Output("x", Graph.Output.Role.OUTPUT, n.output()),
                new Graph.Output("w", Graph.Output.Role.GRAD, x),
                new Graph.Output("x", Graph.Output.Role.GRAD, n.output())));
        List<String> p = Verifier.check(g);
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).contains("grad w names no input of this graph"), p.get(0));
        assertTrue(p.get(1).contains("two grad outputs are named x"), p.get(1));
        assertTrue(p.get(2).contains("grad x is f32[] but the input is f32[4]"), p.get(2));
    }

    @Test
    void moduleGraphNamesAreUnique() {
        Graph g = new Graph("eval", List.of(), List.of(), List.of());
        List<String> p = Verifier.check(new Module("M", List.of(g, g)));
        assertEquals(List.of("module M: two graphs are named eval"), p);
    }
}
