package dlc.ir;

import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class GraphEquivalenceTest {
    private static final String BASE = """
            graph g(%x: f32[B], param %w: f32[B]) {
              %a = sub(%x, %w) : f32[B]  # m.dl:1:1
              %b = cast(%a) {dtype=f64} : f64[B]
              output y = %b
            }
            """;

    private static Optional<String> diff(String other) {
        return GraphEquivalence.difference(IrParser.parseGraph(BASE), IrParser.parseGraph(other));
    }

    @Test
    void nameHintsAndLocationsDoNotMatter() {
        assertEquals(Optional.empty(), diff(BASE.replace("%a", "%zz").replace("%b", "%7").replace("m.dl:1:1", "n.dl:9:9")));
    }

    @Test
    void eachStructuralChangeIsFound() {
        assertTrue(diff(BASE.replace("sub(%x, %w)", "sub(%w, %x)")).orElseThrow().contains("operand 0"));
        assertTrue(diff(BASE.replace("sub(", "add(")).orElseThrow().contains("ops differ"));
        assertTrue(diff(BASE.replace("dtype=f64} : f64", "dtype=f32} : f64")).orElseThrow().contains("attributes differ"));
        assertTrue(diff(BASE.replace("f64[B]", "f64[T]")).orElseThrow().contains("result 0 type"));
        assertTrue(diff(BASE.replace("param %w", "state %w")).orElseThrow().contains("input 1"));
        assertTrue(diff(BASE.replace("%x: f32[B]", "%x: f32[T]")).orElseThrow().contains("input 0"));
        assertTrue(diff(BASE.replace("output y", "loss y")).orElseThrow().contains("output 0"));
        assertTrue(diff(BASE.replace("output y = %b", "output y = %a")).orElseThrow().contains("output y is"));
        assertTrue(diff(BASE.replace("graph g", "graph h")).orElseThrow().contains("names differ"));
        assertTrue(diff(BASE.replace("  output y = %b\n", "")).orElseThrow().contains("1 outputs vs 0"));
    }
}
