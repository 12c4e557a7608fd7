package dlc.cli;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a graph's tensors take at given sizes, for the message when a run runs out of memory:
 * the bytes of every input and every node output together (as float64, the interpreter's and
 * the given/random inputs' storage) and the largest one. A figure to choose -Xmx or a smaller
 * batch by, not a peak: the JVM backend reuses buffers and needs less.
 */
final class MemoryNeed {
    private MemoryNeed() {}

    /** "its tensors hold 12.3 GiB together as float64 (the largest, x: f32[B, 2], 3.0 GiB) at B = 200000000". */
    static String describe(Graph g, Map<String, Long> dims) {
        double total = 0, largest = -1;
        Value big = null;
        List<Value> values = new ArrayList<>(g.inputs());
        for (Node n : g.nodes()) values.addAll(n.outputs());
        for (Value v : values) {
            if (!dims.keySet().containsAll(v.type().shape().symbols())) continue;
            double bytes = 8;
            for (var d : v.type().shape().dims()) bytes *= d.eval(dims);
            total += bytes;
            if (bytes > largest) {
                largest = bytes;
                big = v;
            }
        }
        if (big == null) return "graph " + g.name();
        return "graph " + g.name() + ": its tensors hold " + gib(total) + " together as float64 (the largest, "
                + (big.name() != null ? big.name() + ": " : "") + big.type() + ", " + gib(largest) + ")" + at(dims);
    }

    private static String at(Map<String, Long> dims) {
        StringBuilder sb = new StringBuilder();
        dims.forEach((sym, v) -> sb.append(sb.length() == 0 ? " at " : ", ").append(sym).append(" = ").append(v));
        return sb.toString();
    }

    private static String gib(double bytes) { return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30)); }
}
