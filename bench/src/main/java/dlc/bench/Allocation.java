package dlc.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated per step after warm-up, from HotSpot's per-thread allocation counters
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}): for the calling thread, and
 * summed over every live thread (the backend's worker threads included; a thread started during
 * the window counts from zero). The counters are read outside the measured steps.
 */
final class Allocation {
    private Allocation() {}

    record Result(int steps, double callerBytesPerStep, double allThreadsBytesPerStep) {}

    static Result measure(Timing.Step step, int minSteps, double minSec) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!mx.isThreadAllocatedMemorySupported()) throw new IllegalStateException("this JVM does not count allocated bytes per thread");
        mx.setThreadAllocatedMemoryEnabled(true);
        Map<Long, Long> before = snapshot(mx);
        long self0 = mx.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        int n = 0;
        while (n < minSteps || System.nanoTime() - t0 < minSec * 1e9) {
            step.run();
            n++;
        }
        long self1 = mx.getCurrentThreadAllocatedBytes();
        Map<Long, Long> after = snapshot(mx);
        long all = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) all += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        return new Result(n, (double) (self1 - self0) / n, (double) all / n);
    }

    private static Map<Long, Long> snapshot(com.sun.management.ThreadMXBean mx) {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<Long, Long> m = new HashMap<>();
        for (int i = 0; i < ids.length; i++) if (bytes[i] >= 0) m.put(ids[i], bytes[i]);
        return m;
    }
}
