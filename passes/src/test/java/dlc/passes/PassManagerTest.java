package dlc.passes;

import dlc.ir.*;
import dlc.ir.Module;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class PassManagerTest {
    private static final Module M = IrParser.parseModule("""
            module M

            graph eval(%x: f32[B, 1], %y: f32[1, T]) {
              %0 = mul(%x, %y) : f32[B, T]
              output z = %0
            }
            """);

    /** Renames every graph, to see which passes ran. */
    private record Suffix(String suffix) implements Pass {
        @Override public String name() { return "suffix" + suffix; }

        @Override public Graph run(Graph g) { return new Graph(g.name() + suffix, g.inputs(), g.nodes(), g.outputs()); }
    }

    /** Claims every result is f64: the verifier must catch it. */
    private static final Pass BROKEN = new Pass() {
        @Override public String name() { return "broken"; }

        @Override public Graph run(Graph g) {
            Node n = g.nodes().get(0);
            Node bad = new Node(n.op(), n.inputs(), n.attrs(), n.regions(), List.of(n.output().type().withDType(DType.F64)), null, n.loc());
            return new Graph(g.name(), g.inputs(), List.of(bad), List.of(new Graph.Output("z", Graph.Output.Role.OUTPUT, bad.output())));
        }
    };

    @Test
    void pipelineTextCreatesConfiguredPasses() {
        PassManager pm = PassManager.parse("shape-inference{B=32, T=8}");
        assertEquals(List.of("shape-inference"), pm.passNames());
        String out = IrPrinter.print(pm.run(M));
        assertTrue(out.contains("graph eval(%x: f32[32, 1], %y: f32[1, 8])"), out);
        assertTrue(out.contains("%0 = mul(%x, %y) : f32[32, 8]"), out);
    }

    @Test
    void unknownPassNamesListTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> PassManager.parse("shape-inference, fuse-everything"));
        assertTrue(e.getMessage().contains("unknown pass 'fuse-everything'"), e.getMessage());
        assertTrue(e.getMessage().contains("known passes: shape-inference"), e.getMessage());
    }

    @Test
    void runUntilReturnsTheIrAfterTheNamedPass() {
        PassManager pm = PassManager.of(new Suffix("_a"), new Suffix("_b"), new Suffix("_c"));
        assertEquals("eval_a_b", pm.runUntil(M, "suffix_b").graphs().get(0).name());
        assertEquals("eval_a", pm.runUntil(M.graphs().get(0), "suffix_a").name());
        assertEquals("eval_a_b_c", pm.run(M).graphs().get(0).name());
        List<String> seen = new ArrayList<>();
        pm.run(M, (p, m) -> seen.add(p.name() + ":" + m.graphs().get(0).name()));
        assertEquals(List.of("suffix_a:eval_a", "suffix_b:eval_a_b", "suffix_c:eval_a_b_c"), seen);
        var e = assertThrows(IllegalArgumentException.class, () -> pm.runUntil(M, "simplify"));
        assertTrue(e.getMessage().contains("no pass 'simplify' in this pipeline; its passes: suffix_a, suffix_b, suffix_c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pm.runUntil(M.graphs().get(0), "simplify"));
        assertEquals(List.of("shape-inference", "simplify", "fusion", "remat"), PassManager.standard().passNames());
    }

    @Test
    void invalidIrAfterAPassNamesThePass() {
        PassManager pm = PassManager.of(new Suffix("_a"), BROKEN, new Suffix("_never"));
        var e = assertThrows(IllegalStateException.class, () -> pm.run(M));
        assertTrue(e.getMessage().startsWith("pass broken produced invalid IR:"), e.getMessage());
        assertTrue(e.getMessage().contains("declared result types [f64[B, T]] but the shape rule gives [f32[B, T]]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> pm.run(M.graphs().get(0)));
    }

    @Test
    void badPipelineOptionsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> PassManager.parse("shape-inference{B}"));
        assertTrue(e.getMessage().contains("pass option 'B' of shape-inference must be key=value"), e.getMessage());
    }
}
