package dlc.passes.simplify;

import dlc.ir.*;
import dlc.passes.Pass;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every simplification pass, and the whole pipeline, keeps what random graphs compute (float64
 * interpreter) and leaves IR that verifies. Tolerance: fold, CSE, DCE and batch-norm folding
 * (which never matches here: random graphs have no parameter chains) must give bit-identical
 * values (+0 = -0). The algebraic rules are exact but for log(exp x) -> x, which drops exp's
 * rounding and overflow; algebra and the pipeline are compared at a relative 1e-9, far below
 * float32's 6e-8 and far above the 1e-16 one rounding of log(exp x) moves.
 */
class SimplifyProperties {
    private static final double EXACT = 0, LOG_EXP = 1e-9;

    @Provide Arbitrary<SimplifyGraphs.Case> cases() { return SimplifyGraphs.cases(); }

    private static Graph checked(Pass p, Graph g) {
        Graph out = p.run(g);
        List<String> problems = Verifier.check(out);
        assertTrue(problems.isEmpty(), () -> p.name() + " produced invalid IR:\n  " + String.join("\n  ", problems) + "\n" + out);
        return out;
    }

    private static void preserves(Pass p, SimplifyGraphs.Case c, double tol) {
        SimplifyGraphs.assertSameValues(c.graph(), checked(p, c.graph()), c.inputs(), tol);
    }

    @Property(tries = 300)
    void constantFoldingKeepsValuesExactly(@ForAll("cases") SimplifyGraphs.Case c) { preserves(new ConstantFolding(), c, EXACT); }

    @Property(tries = 300)
    void cseKeepsValuesExactly(@ForAll("cases") SimplifyGraphs.Case c) { preserves(new CommonSubexpressionElimination(), c, EXACT); }

    @Property(tries = 300)
    void dceKeepsValuesExactly(@ForAll("cases") SimplifyGraphs.Case c) { preserves(new DeadCodeElimination(), c, EXACT); }

    @Property(tries = 300)
    void algebraicRulesKeepValues(@ForAll("cases") SimplifyGraphs.Case c) { preserves(new AlgebraicSimplification(), c, LOG_EXP); }

    @Property(tries = 100)
    void batchNormFoldingKeepsValuesExactly(@ForAll("cases") SimplifyGraphs.Case c) { preserves(new BatchNormFolding(), c, EXACT); }

    /** Also checks that the cases give the pipeline work: most graphs shrink. */
    @Property(tries = 300)
    void simplifyKeepsValues(@ForAll("cases") SimplifyGraphs.Case c) {
        Graph out = checked(new Simplify(), c.graph());
        Statistics.label("simplify").collect(SimplifyGraphs.nodeCount(out) < SimplifyGraphs.nodeCount(c.graph()) ? "fewer nodes" : "same");
        Statistics.label("simplify").coverage(k -> k.check("fewer nodes").percentage(p -> p > 30));
        SimplifyGraphs.assertSameValues(c.graph(), out, c.inputs(), LOG_EXP);
    }

    @Provide Arbitrary<SimplifyGraphs.Case> symbolicCases() { return SimplifyGraphs.symbolicCases(); }

    /** Symbolic shapes ({@code B}, {@code 2*H}): rules compare dims symbolically, scans keep the x that sets T. */
    @Property(tries = 300)
    void simplifyKeepsValuesOfSymbolicGraphs(@ForAll("symbolicCases") SimplifyGraphs.Case c) { preserves(new Simplify(), c, LOG_EXP); }

    /** The pipeline stops at a fixed point: simplifying its result again changes nothing. */
    @Property(tries = 200)
    void simplifyReachesAFixedPoint(@ForAll("cases") SimplifyGraphs.Case c) {
        Graph once = checked(new Simplify(), c.graph());
        assertSame(once, new Simplify().run(once), () -> "simplify changed its own result:\n" + once);
    }

    /**
     * The pipeline never adds nodes that compute: a splat constant (and a broadcast of one) is an
     * immediate in every backend and does not count. scan-forwarding moves an x that holds one
     * value into the body as such a constant, so that the loop stops slicing it every step; where
     * the outer constant has another reader it stays, and the plain node count grew by one (found
     * by a fresh seed: {@link #splatXMovedIntoTheBodyIsNoGrowth}).
     */
    @Property(tries = 200)
    void simplifyNeverGrowsAGraph(@ForAll("cases") SimplifyGraphs.Case c) {
        Graph out = checked(new Simplify(), c.graph());
        assertTrue(SimplifyGraphs.computingNodeCount(out) <= SimplifyGraphs.computingNodeCount(c.graph()), () -> c.graph() + "\nbecame\n" + out);
    }

    /** The case seed 6811173597218251866 drew: the scan's constant x, also a graph output, becomes a body constant. */
    @Example
    void splatXMovedIntoTheBodyIsNoGrowth() {
        Graph g = dlc.ir.text.IrParser.parseGraph("""
                graph g() {
                  %0 = constant() {dtype=f32, shape=<1>, values=[0.9238711495066281]} : f32[1]
                  %1 = sum(%0) {axes=[0], keepdims=false} : f32[]
                  %2, %3 = scan(%1, %0) {axis=0, num_carries=1, num_xs=1, reverse=false} : f32[], f32[1] {
                    ^body(%c: f32[], %x_t: f32[]) {
                      %c2 = add(%c, %x_t) : f32[]
                      %4 = mul(%c2, %x_t) : f32[]
                      output c = %c2
                      output y = %4
                    }
                  }
                  output out0 = %0
                  output out_last = %3
                }
                """);
        Graph out = checked(new Simplify(), g);
        Node scan = out.nodes().stream().filter(n -> n.op() == dlc.ir.ops.Ops.SCAN).findFirst().orElseThrow();
        assertEquals(0L, scan.attrs().getLong("num_xs"), () -> "the constant x is still sliced:\n" + out);
        assertTrue(SimplifyGraphs.computingNodeCount(out) <= SimplifyGraphs.computingNodeCount(g), () -> g + "\nbecame\n" + out);
    }

    /** A graph computed twice side by side: CSE merges the copy entirely, to the size of the graph alone. */
    @Property(tries = 200)
    void cseMergesADuplicatedGraph(@ForAll("cases") SimplifyGraphs.Case c) {
        Graph g = c.graph(), twice = duplicated(g);
        Pass cse = new CommonSubexpressionElimination(), dce = new DeadCodeElimination();
        Graph merged = checked(dce, checked(cse, twice)), alone = checked(dce, checked(cse, g));
        assertEquals(SimplifyGraphs.nodeCount(alone), SimplifyGraphs.nodeCount(merged), () -> twice + "\nbecame\n" + merged);
        SimplifyGraphs.assertSameValues(twice, merged, c.inputs(), EXACT);
    }

    /** {@code g} with every node copied once more and the copies' results as extra outputs {@code dup.NAME}. */
    private static Graph duplicated(Graph g) {
        GraphBuilder b = new GraphBuilder(g.name());
        Map<Value, Value> first = new IdentityHashMap<>(), second = new IdentityHashMap<>();
        for (Value v : g.inputs()) {
            Value nv = b.input(v.name(), v.type(), v.role());
            first.put(v, nv);
            second.put(v, nv);
        }
        for (Map<Value, Value> map : List.of(first, second))
            for (Node n : g.nodes()) {
                Node c = new Node(n.op(), n.inputs().stream().map(map::get).toList(), n.attrs(), n.regions(),
                        n.outputs().stream().map(Value::type).toList(), n.outputs().stream().map(Value::name).toList(), n.loc());
                b.add(c);
                for (int j = 0; j < c.outputs().size(); j++) map.put(n.outputs().get(j), c.outputs().get(j));
            }
        for (Graph.Output o : g.outputs()) b.output(o.name(), o.role(), first.get(o.value()));
        for (Graph.Output o : g.outputs()) b.output("dup." + o.role() + "." + o.name(), Graph.Output.Role.OUTPUT, second.get(o.value()));
        return b.build();
    }
}
