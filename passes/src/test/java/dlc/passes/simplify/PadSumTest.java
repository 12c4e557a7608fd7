package dlc.passes.simplify;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sum of zero pads whose windows tile an axis (the VJP of the slices that split an LSTM's
 * gates) becomes one concat: each operand copied once instead of a buffer zeroed and added per
 * operand. Only adjacent windows of zero pads are merged; the values are those of the sum.
 */
class PadSumTest {
    private static Graph simplified(String ir) { return new Simplify().run(IrParser.parseGraph(ir)); }

    private static long count(Graph g, dlc.ir.OpDef op) { return g.nodes().stream().filter(n -> n.op() == op).count(); }

    private static Tensor run(Graph g, Tensor... args) { return Interpreter.run(g, args, Map.of())[0]; }

    private static Tensor ramp(int rows, int cols, double start) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = start + i;
        return new Tensor(dlc.ir.DType.F32, new int[]{rows, cols}, d);
    }

    @Test
    void padsTilingAnAxisBecomeOneConcatInWindowOrder() {
        // windows [3, 5), [0, 3), [5, 6) of a 6-wide axis, summed out of order
        String ir = """
                graph f(%a: f32[2, 2], %b: f32[2, 3], %c: f32[2, 1]) {
                  %pa = pad(%a) {high=[0, 1], low=[0, 3]} : f32[2, 6]
                  %pb = pad(%b) {high=[0, 3], low=[0, 0]} : f32[2, 6]
                  %pc = pad(%c) {high=[0, 0], low=[0, 5]} : f32[2, 6]
                  %s = add(%pa, %pb) : f32[2, 6]
                  %t = add(%s, %pc) : f32[2, 6]
                  output y = %t
                }
                """;
        Graph before = IrParser.parseGraph(ir), after = simplified(ir);
        assertEquals(0, count(after, Ops.PAD), after::toString);
        assertEquals(0, count(after, Ops.ADD), after::toString);
        List<Node> concats = after.nodes().stream().filter(n -> n.op() == Ops.CONCAT).toList();
        assertEquals(1, concats.size(), after::toString);
        assertEquals(List.of("b", "a", "c"), concats.get(0).inputs().stream().map(v -> v.name()).toList());
        Tensor a = ramp(2, 2, 100), b = ramp(2, 3, 200), c = ramp(2, 1, 300);
        Tensor want = run(before, a, b, c), got = run(after, a, b, c);
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.data(), got.data());
        assertArrayEquals(new double[]{200, 201, 202, 100, 101, 300, 203, 204, 205, 102, 103, 301}, got.data());
    }

    @Test
    void aPartialTilingKeepsThePadAroundTheConcat() {
        String ir = """
                graph f(%a: f32[2, 2], %b: f32[2, 3]) {
                  %pa = pad(%a) {high=[0, 1], low=[0, 4]} : f32[2, 7]
                  %pb = pad(%b) {high=[0, 3], low=[0, 1]} : f32[2, 7]
                  %s = add(%pa, %pb) : f32[2, 7]
                  output y = %s
                }
                """;
        Graph before = IrParser.parseGraph(ir), after = simplified(ir);
        assertEquals(1, count(after, Ops.PAD), after::toString);
        assertEquals(1, count(after, Ops.CONCAT), after::toString);
        Tensor a = ramp(2, 2, 1), b = ramp(2, 3, 10);
        assertArrayEquals(run(before, a, b).data(), run(after, a, b).data());
    }

    @Test
    void overlappingGappedOrNonZeroPadsStayASum() {
        for (String pads : List.of(
                // overlapping windows [2, 4) and [3, 6)
                "%pa = pad(%a) {high=[0, 2], low=[0, 2]} : f32[2, 6]\n %pb = pad(%b) {high=[0, 0], low=[0, 3]} : f32[2, 6]",
                // a gap: [0, 2) and [3, 6)
                "%pa = pad(%a) {high=[0, 4], low=[0, 0]} : f32[2, 6]\n %pb = pad(%b) {high=[0, 0], low=[0, 3]} : f32[2, 6]",
                // adjacent, but one pads with ones
                "%pa = pad(%a) {high=[0, 3], low=[0, 1], value=1.0} : f32[2, 6]\n %pb = pad(%b) {high=[0, 0], low=[0, 3]} : f32[2, 6]",
                // adjacent on axis 1 but in different rows
                "%pa = pad(%a) {high=[1, 4], low=[0, 0]} : f32[3, 6]\n %pb = pad(%b) {high=[0, 0], low=[1, 3]} : f32[3, 6]")) {
            String type = pads.contains("f32[3, 6]") ? "f32[3, 6]" : "f32[2, 6]";
            String ir = "graph f(%a: f32[2, 2], %b: f32[2, 3]) {\n " + pads + "\n %s = add(%pa, %pb) : " + type + "\n output y = %s\n}\n";
            Graph after = simplified(ir);
            assertEquals(0, count(after, Ops.CONCAT), after::toString);
            assertEquals(1, count(after, Ops.ADD), after::toString);
            Tensor a = ramp(2, 2, 1), b = ramp(2, 3, 10);
            assertArrayEquals(run(IrParser.parseGraph(ir), a, b).data(), run(after, a, b).data());
        }
    }
}
