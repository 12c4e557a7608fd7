package dlc.passes.memory;

import dlc.ir.Graph;
import dlc.ir.Value;

import java.util.*;

/**
 * The buffers of one graph as planned by {@link MemoryPlanner}: for every value (graph inputs and
 * node results of the top level; values inside fusion groups and scan bodies are not materialized
 * as buffers here) its byte size, its live interval in schedule order, and the buffer it lives in.
 *
 * <p>Positions: graph inputs are defined at -1, node i at i; a value is live from its definition to
 * its last use, graph outputs and inputs to the end ({@code nodes().size()}).
 *
 * @param graph      the planned graph
 * @param bytes      each value's size
 * @param live       each value's live interval
 * @param buffer     each value's buffer index
 * @param bufferBytes the size of each buffer (the largest value it ever holds)
 * @param inPlace    values written over an operand that dies at their node: value to that operand
 */
public record MemoryPlan(Graph graph, Map<Value, Long> bytes, Map<Value, Interval> live, Map<Value, Integer> buffer,
                         List<Long> bufferBytes, Map<Value, Value> inPlace) {
    /** Positions {@code start..end}, both included. */
    public record Interval(int start, int end) {
        public boolean overlaps(Interval o) { return start <= o.end && o.start <= end; }
    }

    /** Peak memory of the plan: every buffer exists for the whole step, so the sum of buffer sizes. */
    public long peakBytes() { return bufferBytes.stream().mapToLong(Long::longValue).sum(); }

    /** Memory without reuse: the sum of the sizes of all values. */
    public long totalBytes() { return bytes.values().stream().mapToLong(Long::longValue).sum(); }

    /**
     * A lower bound for any plan: the most bytes that are live together just after some node (or
     * before the first), when every value then live needs its own memory.
     */
    public long lowerBoundBytes() {
        int n = graph.nodes().size();
        long best = 0;
        for (int p = -1; p < n; p++) {
            long sum = 0;
            for (Map.Entry<Value, Interval> e : live.entrySet()) {
                Interval iv = e.getValue();
                if (iv.start <= p && (iv.end > p || iv.end == n)) sum += bytes.get(e.getKey());
            }
            best = Math.max(best, sum);
        }
        return best;
    }
}
