package dlc.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The calling thread's CPU time, for {@link Parallel} to tell a worker that lost its core in the
 * middle of a part (wall time far beyond its CPU time) from one whose part was merely longer than
 * the caller's. Kept apart so that a runtime without the {@code java.management} module (a
 * minimal jlinked JRE) fails to load this class alone, which {@link Parallel} checks once.
 */
final class ThreadCpuClock {
    private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();
    /** Whether this JVM measures thread CPU time (HotSpot does by default). */
    static final boolean WORKS = BEAN.isCurrentThreadCpuTimeSupported() && BEAN.isThreadCpuTimeEnabled();

    private ThreadCpuClock() {}

    /** The calling thread's CPU time in nanoseconds (only where {@link #WORKS}). */
    static long now() { return BEAN.getCurrentThreadCpuTime(); }
}
