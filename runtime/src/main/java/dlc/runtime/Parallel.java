package dlc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed pool of daemon threads that runtime kernels split big problems over. The thread count
 * comes from the system property {@code dlc.threads} (default: available processors) and can be
 * changed with {@link #setThreads} (benchmarks compare 1 and N threads).
 *
 * <p>One parallel region runs at a time: a call made while the pool is busy (from another thread,
 * or nested inside a task) runs all its parts on the caller thread, so kernels may call each
 * other freely. Handing a task to the workers allocates nothing.
 */
public final class Parallel {
    /** One part of a parallel region: {@code run(part, parts)} for part in [0, parts). */
    @FunctionalInterface
    public interface Task {
        void run(int part, int parts);
    }

    private static volatile int threads = initialThreads();
    private static Worker[] workers = new Worker[0];
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static volatile Thread caller;
    private static volatile Throwable failure;

    private Parallel() {}

    private static int initialThreads() {
        int n = Runtime.getRuntime().availableProcessors();
        String p = System.getProperty("dlc.threads");
        if (p != null && !p.isBlank()) {
            try {
                n = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property dlc.threads must be an integer, got '" + p + "'", e);
            }
        }
        return Math.max(1, n);
    }

    /** The number of threads a region may use (the caller included). */
    public static int threads() { return threads; }

    /** Sets the number of threads regions use (the caller included); 1 runs everything on the caller. */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
    }

    /**
     * Runs {@code task} for parts 0 .. parts-1 and returns when all are done; part 0 runs on the
     * caller. Parts beyond the thread count, or every part when the pool is busy, run on the caller
     * in turn. A failure in any part is rethrown here after all parts finished.
     */
    public static void run(int parts, Task task) {
        if (parts <= 1 || threads <= 1 || !BUSY.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) task.run(p, parts);
            return;
        }
        try {
            int helpers = Math.min(parts, threads) - 1;
            Worker[] ws = workers(helpers);
            failure = null;
            caller = Thread.currentThread();
            PENDING.set(helpers);
            for (int w = 0; w < helpers; w++) ws[w].start(task, w + 1, parts, helpers + 1);
            Throwable mine = null;
            try {
                // the caller runs part 0 and every part beyond the helpers' share, in the same stride
                for (int p = 0; p < parts; p += helpers + 1) task.run(p, parts);
            } catch (Throwable t) {
                mine = t;
            }
            while (PENDING.get() > 0) LockSupport.park(Parallel.class);
            Throwable t = mine != null ? mine : failure;
            failure = null;
            caller = null;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException("a parallel task failed", t);
        } finally {
            BUSY.set(false);
        }
    }

    /** The first {@code n} workers, started on first use (called only while BUSY is held). */
    private static Worker[] workers(int n) {
        if (workers.length < n) {
            Worker[] grown = java.util.Arrays.copyOf(workers, n);
            for (int i = workers.length; i < n; i++) grown[i] = new Worker(i + 1);
            workers = grown;
        }
        return workers;
    }

    /** A daemon thread that parks until given a task, runs its parts, and counts down. */
    private static final class Worker extends Thread {
        private volatile Task task;
        private int first, parts, stride;

        Worker(int id) {
            super("dlc-parallel-" + id);
            setDaemon(true);
            start();
        }

        void start(Task t, int first, int parts, int stride) {
            this.first = first;
            this.parts = parts;
            this.stride = stride;
            this.task = t; // volatile write publishes the fields above
            LockSupport.unpark(this);
        }

        @Override public void run() {
            while (true) {
                Task t = task;
                if (t == null) {
                    LockSupport.park(this);
                    continue;
                }
                try {
                    for (int p = first; p < parts; p += stride) t.run(p, parts);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    task = null;
                    if (PENDING.decrementAndGet() == 0) LockSupport.unpark(caller);
                }
            }
        }
    }
}
