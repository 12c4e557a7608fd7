package dlc.passes.memory;

import dlc.ir.Graph;
import dlc.ir.Value;

import java.util.*;

/**
 * Where the values of one graph live, as planned by {@link MemoryPlanner}: for every value (graph
 * inputs and node results of the top level; values inside fusion groups and scan bodies are never
 * materialized) its byte size, its live interval in schedule order, and its byte offset in one
 * arena of {@link #peakBytes} bytes.
 *
 * <p>Positions: graph inputs are defined at -1, node i at i; a value is live from its definition to
 * its last use, and graph inputs and outputs to the end ({@code graph.nodes().size()}).
 *
 * @param graph     the planned graph
 * @param bytes     each value's size
 * @param live      each value's live interval
 * @param offset    each value's offset in the arena
 * @param inPlace   values written over an operand that dies at their node: value to that operand
 * @param donated   UPDATE outputs that took over the memory of the input they update (buffer
 *                  donation): update value to that input, whose live interval ends at its last use
 * @param peakBytes the arena's size: pinned values (inputs, outputs) side by side, then the shared
 *                  region of every other value
 */
public record MemoryPlan(Graph graph, Map<Value, Long> bytes, Map<Value, Interval> live, Map<Value, Long> offset,
                         Map<Value, Value> inPlace, Map<Value, Value> donated, long peakBytes) {
    /** Positions {@code start..end}, both included. */
    public record Interval(int start, int end) {
        public boolean overlaps(Interval o) { return start <= o.end && o.start <= end; }
    }

    /** Whether the memory of {@code a} and {@code b} overlaps. */
    public boolean shareMemory(Value a, Value b) {
        long oa = offset.get(a), ob = offset.get(b);
        return oa < ob + bytes.get(b) && ob < oa + bytes.get(a);
    }

    /** Memory without reuse: the sum of the sizes of all values. */
    public long totalBytes() { return bytes.values().stream().mapToLong(Long::longValue).sum(); }

    /**
     * A lower bound for any plan that makes this plan's in-place choices: the most bytes live
     * together while some node runs (its operands, its results and every value live across it;
     * before the first node, the inputs), a result written in place over its operand (or an update over its donated input) counted once.
     */
    public long lowerBoundBytes() {
        int n = graph.nodes().size();
        long best = 0;
        for (int p = -1; p < n; p++) {
            long sum = 0;
            for (Map.Entry<Value, Interval> e : live.entrySet()) {
                Interval iv = e.getValue();
                Value donor = inPlace.containsKey(e.getKey()) ? inPlace.get(e.getKey()) : donated.get(e.getKey());
                boolean sharesWithDonor = donor != null && iv.start == p && live.get(donor).end() == p;
                if (iv.start <= p && p <= iv.end && !sharesWithDonor) sum += bytes.get(e.getKey());
            }
            best = Math.max(best, sum);
        }
        return best;
    }
}
