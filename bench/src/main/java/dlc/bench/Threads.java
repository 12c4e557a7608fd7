package dlc.bench;

import java.lang.reflect.Method;

/**
 * Sets the JVM backend's worker thread count. {@code dlc.runtime.Parallel} reads the system
 * property {@code dlc.threads} when it loads; where it also has {@code setThreads(int)}, that is
 * called too. Set before any compiled graph runs (one JVM per thread count, like the peers).
 */
final class Threads {
    private Threads() {}

    /** Returns a line saying how the count was applied. */
    static String set(int n) {
        System.setProperty("dlc.threads", Integer.toString(n));
        try {
            Class<?> p = Class.forName("dlc.runtime.Parallel");
            Method m = p.getMethod("setThreads", int.class);
            m.invoke(null, n);
            return "threads=" + n + " (dlc.runtime.Parallel.setThreads and -Ddlc.threads)";
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return "threads=" + n + " (-Ddlc.threads only: " + e + ")";
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Parallel.setThreads(" + n + ") failed", e);
        }
    }
}
