package dlc.passes.simplify;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A scan's y that stacks one of its own xs is that x operand, and a y that stacks the same body
 * value as an earlier y is that y: both leave the loop (as the outer-product factors of
 * backpropagation through time do), in either direction, with the values unchanged; an x of one
 * value everywhere is read as that constant and leaves the loop too.
 */
class ScanForwardingTest {
    private static final String IR = """
            graph f(%h0: f32[2], %xs: f32[2, 3], %w: f32[2]) {
              %h, %ys, %echo, %twice = scan(%h0, %xs, %w) {axis=1, num_carries=1, num_xs=1, reverse=REVERSE} : f32[2], f32[2, 3], f32[2, 3], f32[2, 3] {
                ^step(%c: f32[2], %x: f32[2], %wc: f32[2]) {
                  %0 = mul(%c, %wc) : f32[2]
                  %1 = add(%0, %x) : f32[2]
                  %2 = tanh(%1) : f32[2]
                  yield %2, %2, %x, %2
                }
              }
              output h = %h
              output ys = %ys
              output echo = %echo
              output twice = %twice
            }
            """;

    private static Tensor[] run(Graph g) {
        Tensor h0 = new Tensor(DType.F32, new int[]{2}, new double[]{0.1, -0.2});
        Tensor xs = new Tensor(DType.F32, new int[]{2, 3}, new double[]{0.5, -1, 2, 0.25, 3, -0.5});
        Tensor w = new Tensor(DType.F32, new int[]{2}, new double[]{0.9, 1.1});
        return Interpreter.run(g, new Tensor[]{h0, xs, w}, Map.of());
    }

    @Test
    void aYStackingAnXOrAnEarlierYLeavesTheLoop() {
        for (String reverse : new String[]{"false", "true"}) {
            Graph before = IrParser.parseGraph(IR.replace("REVERSE", reverse));
            Graph after = new Simplify().run(before);
            Node scan = after.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
            assertEquals(2, scan.outputs().size(), after::toString); // the carry and ys are left
            assertSame(after.inputs().get(1), after.outputs().get(2).value(), "echo is xs itself\n" + after);
            assertSame(after.outputs().get(1).value(), after.outputs().get(3).value(), "twice is ys\n" + after);
            Tensor[] want = run(before), got = run(after);
            for (int i = 0; i < want.length; i++) assertArrayEquals(want[i].data(), got[i].data(), "output " + i + ", reverse=" + reverse);
        }
    }

    @Test
    void anXOfOneValueIsThatValueInTheBodyAndLeavesTheLoop() {
        Graph before = IrParser.parseGraph("""
                graph f(%h0: f32[2], %xs: f32[2, 3], %w: f32[2]) {
                  %zero = constant() {dtype=f32, shape=<>, values=[0.0]} : f32[]
                  %half = constant() {dtype=f32, shape=<2, 3>, values=[0.5]} : f32[2, 3]
                  %zeros = broadcast_to(%zero) {shape=<2, 3>} : f32[2, 3]
                  %h, %ys = scan(%h0, %xs, %zeros, %half, %w) {axis=1, num_carries=1, num_xs=3, reverse=true} : f32[2], f32[2, 3] {
                    ^step(%c: f32[2], %x: f32[2], %z: f32[2], %q: f32[2], %wc: f32[2]) {
                      %0 = mul(%c, %wc) : f32[2]
                      %1 = add(%0, %x) : f32[2]
                      %2 = add(%1, %z) : f32[2]
                      %3 = mul(%2, %q) : f32[2]
                      %4 = tanh(%3) : f32[2]
                      yield %4, %4
                    }
                  }
                  output h = %h
                  output ys = %ys
                }
                """);
        Graph after = new Simplify().run(before);
        Node scan = after.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
        assertEquals(1, scan.attrs().getLong("num_xs"), after::toString); // only xs is sliced
        assertSame(after.inputs().get(1), scan.input(1), after::toString);
        Graph body = scan.regions().get(0);
        assertEquals(1, body.nodes().stream().filter(n -> n.op() == Ops.ADD).count(), "x + 0 folded away\n" + after);
        Tensor[] want = run(before), got = run(after);
        for (int i = 0; i < want.length; i++) assertArrayEquals(want[i].data(), got[i].data(), "output " + i);
    }

    @Test
    void aScanWhoseYsAllNeedTheLoopIsLeftAsItIs() {
        // the body yields a carry-derived value, not an x: nothing to forward, the graph is returned as it is
        Graph g = IrParser.parseGraph(IR.replace("REVERSE", "false").replace("yield %2, %2, %x, %2", "yield %2, %2, %1, %0"));
        assertSame(g, new ScanForwarding().run(g));
    }
}
