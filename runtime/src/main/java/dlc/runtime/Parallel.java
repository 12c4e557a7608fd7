package dlc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed pool of daemon threads that runtime kernels split big problems over. The thread count
 * comes from the system property {@code dlc.threads} (default: available processors) and can be
 * changed with {@link #setThreads} (benchmarks compare 1 and N threads).
 *
 * <p>One parallel region runs at a time: a call made while the pool is busy (from another thread,
 * or nested inside a task) runs all its parts on the caller thread, so kernels may call each
 * other freely. Handing a task to the workers allocates nothing.
 *
 * <p>Parts are not assigned to threads: the caller and the woken workers each claim the next
 * unclaimed part from one atomic ticket until none is left, and the caller then waits only for
 * the parts that others claimed and are still running. A worker that the OS has not scheduled yet
 * (the other core busy with another process) therefore never holds a region up: the caller runs
 * its parts too. Which thread runs a part never changes what the part computes (kernels split by
 * part index), so results do not depend on the thread count's timing. A worker that the OS
 * deschedules after it claimed a part does hold its region up; when the caller has waited over
 * 0.5 ms for a worker that was off its core that long mid-part (its wall time less its CPU time),
 * and such waits add up to over 10 ms within a second (one stall alone is a slow wake-up or a JIT
 * thread passing through, not a busy core), regions run on the caller alone for the next 50 ms,
 * and for twice as long as the last time when this came within a second of the last backoff's end
 * (up to 1.6 s): a core that stays busy then costs about 10 ms of stalls per 1.6 s, not a stall
 * per region or per 50 ms, and a core that frees up gets its regions split again within 1.6 s. A
 * worker that is merely slow (sharing its core, so its parts take several times the caller's, each wait under
 * the stall limit) backs off the same way once a tally of {@value #TALLY_REGIONS} regions shows
 * that splitting them took longer than the caller would have alone.
 */
public final class Parallel {
    /** One part of a parallel region: {@code run(part, parts)} for part in [0, parts). */
    @FunctionalInterface
    public interface Task {
        void run(int part, int parts);
    }

    /**
     * How long a thread spins (calling {@link Thread#onSpinWait}) before it parks: a worker waiting
     * for the next region, the caller waiting for claimed parts. Regions of a training step follow
     * each other within tens of microseconds, and a park/unpark round trip costs about as much.
     */
    private static final long SPIN_NANOS = Long.getLong("dlc.parallel.spinNanos", 50_000L);
    /**
     * Spin iterations before a spinning thread starts yielding its core at each iteration: with
     * the other core busy, the caller and a worker may share one core, and a worker spinning
     * between regions would take half the caller's time.
     */
    private static final int PURE_SPINS = 64;

    /**
     * A region whose caller, its own parts done, waited longer than this for a worker that spent
     * longer than this off its core in the middle of a part (wall time less CPU time,
     * {@link ThreadCpuClock}), waited for a worker that the OS descheduled (the other core busy
     * with another process; a time slice is milliseconds). A long wait alone is not enough: a
     * convolution's parts can differ in size by a millisecond, and counting those as stalls kept
     * the quiet machine's 2-thread CNN step backing off...
     */
    static final long STALL_NANOS = 500_000L;
    /**
     * ... and stalls back off only once their waits add up to more than this within one
     * {@link #STALL_WINDOW_NANOS}. A busy core deschedules a worker mid-part region after region
     * (time slices are milliseconds), so its stalls soon pass this; one stall alone is noise that
     * must not serialize a quiet machine: the first region after a long backoff waits for a worker
     * parked that long (an idle virtual CPU can take over 0.5 ms to wake), and a JIT compiler thread
     * may take the worker's core for a moment. When every stall backed off, the quiet machine's
     * 2-thread training steps ran serial almost throughout: each backoff's first region stalled and
     * doubled the next one, up to 1.6 s.
     */
    static final long STALL_BUDGET_NANOS = 10_000_000L;
    static final long STALL_WINDOW_NANOS = 1_000_000_000L;
    /** The current stall window's start ({@link System#nanoTime}) and the stall waits in it so far. */
    private static long stallWindowStart, stallWaits;
    /** ... and the regions of the next this-many nanoseconds run on the caller alone (the first backoff) ... */
    static final long BACKOFF_NANOS = 50_000_000L;
    /**
     * ... or twice the last backoff, up to this, when the stall came less than
     * {@link #BACKOFF_RESET_NANOS} after the last backoff ended (the other core is still busy: one
     * stall per 50 ms cost a loaded machine's 2-thread MLP step up to 5x its 1-thread time at p10).
     */
    static final long MAX_BACKOFF_NANOS = 1_600_000_000L;
    static final long BACKOFF_RESET_NANOS = 1_000_000_000L;
    /**
     * Regions per tally: their time (the caller's own parts plus its wait) against the caller's own
     * time scaled to every part (its time per part times the part count: what one thread would
     * have taken). A tally where the split took longer starts a backoff. Time-weighted, so the big
     * regions that scale decide it, not the small ones that cost a wake-up and gain little.
     */
    static final int TALLY_REGIONS = 32;
    private static int tallied;
    private static long tallySplit, tallySerial;
    /** Tests: the backoffs a tally started. */
    static volatile int lostTallies;
    /** Tests: the stalls seen (they back off once their waits pass {@link #STALL_BUDGET_NANOS} in a window). */
    static volatile int stalls;
    /** Until this {@link System#nanoTime} regions run on the caller (see {@link #STALL_NANOS}); 0: never set. */
    private static volatile long serialUntil;
    /** The length of the last backoff (written by a region's caller, while BUSY is held, and by tests). */
    private static volatile long backoff = BACKOFF_NANOS;

    private static volatile int threads = initialThreads();
    private static Worker[] workers = new Worker[0];
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /**
     * The region's claim ticket: its generation in the high 32 bits, the parts not yet claimed in
     * the low 32. A claim decrements it by CAS while the count is positive, so a thread that read
     * an old region's fields can never claim a part of a newer region (the generation differs),
     * and a region cannot end while one of its claims is being made.
     */
    private static final AtomicLong TICKET = new AtomicLong();
    /** The longest time a worker spent off its core during a part of the current region, in nanoseconds. */
    private static final AtomicLong OFF_CPU = new AtomicLong();
    /**
     * Whether workers can measure that ({@link ThreadCpuClock}); where they cannot, a wait longer
     * than the caller's own parts counts as a stall, which also catches parts that merely differ in size.
     */
    private static final boolean CPU_CLOCK = cpuClock();

    private static boolean cpuClock() {
        try {
            return ThreadCpuClock.WORKS;
        } catch (LinkageError | UnsupportedOperationException | SecurityException e) {
            return false; // no java.management module in this runtime
        }
    }

    /** Parts of the current region finished (run or failed). */
    private static final AtomicInteger FINISHED = new AtomicInteger();
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    private static volatile Task task;
    private static volatile int parts;
    private static volatile Thread caller;
    /** Tests only: runs in a worker before each attempt to claim (to hold workers back, as a busy core would). */
    static volatile Runnable beforeWorkerClaim;

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

    /**
     * The number of threads a kernel should split its work over now (the caller included): the
     * configured count, or 1 while a backoff runs regions on their caller, so that kernels then
     * run their one-thread code rather than every part of a split one after the other (a GEMM
     * split by rows packs B once per part). Only for splits whose results do not depend on the
     * part count (GEMM, convolution, pooling, elementwise nests); a partition that changes a
     * result's rounding takes {@link #configuredThreads}, which timing never changes.
     */
    public static int threads() {
        int n = threads;
        return n > 1 && backingOff() ? 1 : n;
    }

    /** The number of threads set ({@code dlc.threads} or {@link #setThreads}), whatever the backoff. */
    public static int configuredThreads() { return threads; }

    /**
     * Sets the number of threads regions use (the caller included); 1 runs everything on the
     * caller. A backoff and the stalls seen so far are forgotten: they were measured at the old count.
     */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
        endBackoff();
        forgetStalls();
    }

    /**
     * Runs {@code task} for parts 0 .. parts-1 and returns when all are done. The caller claims
     * parts like the workers do, so it runs every part that no worker took; every part runs on
     * the caller when the pool is busy or there is one thread. A failure in any part is rethrown
     * here after all parts finished (the first one, when several fail).
     */
    public static void run(int parts, Task task) {
        if (parts <= 1 || threads <= 1 || backingOff() || !BUSY.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) task.run(p, parts);
            return;
        }
        try {
            int helpers = Math.min(parts, threads) - 1;
            Worker[] ws = workers(helpers);
            Parallel.task = task;
            Parallel.parts = parts;
            caller = Thread.currentThread();
            FAILURE.set(null);
            FINISHED.set(0);
            OFF_CPU.set(0);
            long generation = (TICKET.get() >>> 32) + 1;
            TICKET.set(generation << 32 | parts); // publishes the fields above to every claim
            for (int w = 0; w < helpers; w++) ws[w].wake();
            long start = System.nanoTime();
            int mine = 0;
            while (claimAndRun(false)) mine++;
            long own = System.nanoTime();
            awaitFinished(parts);
            long end = System.nanoTime(), waited = end - own;
            boolean descheduled = CPU_CLOCK ? OFF_CPU.get() > STALL_NANOS : waited > own - start;
            if (waited > STALL_NANOS && descheduled) {
                if (stallsOverBudget(end, waited)) backOff(end);
            }
            else if (mine > 0 && mine < parts && tallyLost(end - start, (own - start) * parts / mine)) {
                lostTallies++;
                backOff(end);
            }
            Throwable t = FAILURE.getAndSet(null);
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException("a parallel task failed", t);
        } finally {
            Parallel.task = null;
            caller = null;
            BUSY.set(false);
        }
    }

    /** Whether a recent region stalled on a descheduled worker, so regions run on their caller for now. */
    static boolean backingOff() {
        long until = serialUntil;
        return until != 0 && System.nanoTime() - until < 0;
    }

    /** Adds a stall's wait to the current window; true (and the window emptied) when the window's waits pass {@link #STALL_BUDGET_NANOS}. */
    private static boolean stallsOverBudget(long now, long waited) {
        stalls++;
        if (stallWindowStart == 0 || now - stallWindowStart > STALL_WINDOW_NANOS) {
            stallWindowStart = now;
            stallWaits = 0;
        }
        stallWaits += waited;
        if (stallWaits <= STALL_BUDGET_NANOS) return false;
        stallWaits = 0;
        return true;
    }

    /** Adds a region to the tally ({@link #TALLY_REGIONS}); true when a full tally's split took longer than its serial estimate. */
    private static boolean tallyLost(long split, long serialEstimate) {
        tallySplit += split;
        tallySerial += serialEstimate;
        if (++tallied < TALLY_REGIONS) return false;
        boolean lost = tallySplit > tallySerial;
        tallied = 0;
        tallySplit = tallySerial = 0;
        return lost;
    }

    /** Starts a backoff at {@code now}: twice the last one when the last one ended less than a second ago, else the first length. */
    private static void backOff(long now) {
        long lastEnd = serialUntil;
        backoff = lastEnd != 0 && now - lastEnd < BACKOFF_RESET_NANOS ? Math.min(2 * backoff, MAX_BACKOFF_NANOS) : BACKOFF_NANOS;
        serialUntil = now + backoff;
    }

    /** Tests: the length of the last backoff. */
    static long lastBackoffNanos() { return backoff; }

    /** Tests: ends the current backoff now, as if it had run out (the next stall within a second doubles it). */
    static void expireBackoff() { serialUntil = System.nanoTime(); }

    /** Tests: forgets the stalls seen (the next one alone starts no backoff). */
    static void forgetStalls() { stallWindowStart = 0; stallWaits = 0; }

    /** Tests: ends a backoff that a stalled region started, and forgets it (the next one has the first length). */
    static void endBackoff() {
        serialUntil = 0;
        backoff = BACKOFF_NANOS;
    }

    /**
     * Claims one unclaimed part of the current region and runs it; false when none was left. A
     * worker ({@code offCpu}) also records how long it was off its core during the part (wall time
     * less its CPU time) in {@link #OFF_CPU}, before the part counts as finished.
     */
    private static boolean claimAndRun(boolean offCpu) {
        long t;
        do {
            t = TICKET.get();
            if ((int) t <= 0) return false;
        } while (!TICKET.compareAndSet(t, t - 1));
        // the region cannot end before this part finishes, so these are its fields
        int n = parts, part = n - (int) t;
        // two thread-CPU-clock reads cost about 1 us per worker part; parts are split from 256K
        // element-ops or 1M multiply-adds, tens of microseconds at least
        boolean clock = offCpu && CPU_CLOCK;
        long wall0 = clock ? System.nanoTime() : 0, cpu0 = clock ? ThreadCpuClock.now() : 0;
        try {
            task.run(part, n);
        } catch (Throwable e) {
            FAILURE.compareAndSet(null, e);
        } finally {
            if (clock) {
                long off = (System.nanoTime() - wall0) - (ThreadCpuClock.now() - cpu0);
                for (long max = OFF_CPU.get(); off > max && !OFF_CPU.compareAndSet(max, off); max = OFF_CPU.get()) { }
            }
            if (FINISHED.incrementAndGet() == n) {
                Thread c = caller;
                if (c != Thread.currentThread()) LockSupport.unpark(c);
            }
        }
        return true;
    }

    /** The caller, all parts claimed: spins briefly, then parks until the last claimed part finishes. */
    private static void awaitFinished(int parts) {
        if (FINISHED.get() == parts) return;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int spins = 0; FINISHED.get() < parts; spins++) {
            if (System.nanoTime() < spinUntil) pause(spins);
            else LockSupport.park(Parallel.class);
        }
    }

    /** One iteration of a wait: a spin hint at first, then a yield to whatever else wants this core. */
    private static void pause(int spins) {
        if (spins < PURE_SPINS) Thread.onSpinWait();
        else Thread.yield();
    }

    private static boolean workAvailable() { return (int) TICKET.get() > 0; }

    /** The first {@code n} workers, started on first use (called only while BUSY is held). */
    private static Worker[] workers(int n) {
        if (workers.length < n) {
            Worker[] grown = java.util.Arrays.copyOf(workers, n);
            for (int i = workers.length; i < n; i++) grown[i] = new Worker(i + 1);
            workers = grown;
        }
        return workers;
    }

    /** A daemon thread that claims parts while any are left, spins a little for the next region, then parks. */
    private static final class Worker extends Thread {
        private volatile boolean parked;

        Worker(int id) {
            super("dlc-parallel-" + id);
            setDaemon(true);
            start();
        }

        /** Called after a region's ticket is set: a parked worker is unparked, a spinning one sees the ticket. */
        void wake() {
            if (parked) LockSupport.unpark(this);
        }

        @Override public void run() {
            while (true) {
                Runnable hook = beforeWorkerClaim;
                if (hook != null) hook.run();
                if (claimAndRun(true)) continue;
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                for (int spins = 0; !workAvailable() && System.nanoTime() < spinUntil; spins++) pause(spins);
                if (workAvailable()) continue;
                parked = true;
                // a region that set its ticket before this read sees parked = true (or we see the ticket)
                if (!workAvailable()) LockSupport.park(this);
                parked = false;
            }
        }
    }
}
