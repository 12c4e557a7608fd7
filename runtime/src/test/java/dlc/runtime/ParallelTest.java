package dlc.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The worker pool: every part runs exactly once, failures reach the caller, busy or nested regions run serially. */
class ParallelTest {
    @AfterEach void restore() {
        Parallel.beforeWorkerClaim = null;
        Parallel.endBackoff();
        Parallel.forgetStalls();
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test void everyPartRunsOnceForAnyThreadAndPartCount() {
        for (int threads = 1; threads <= 4; threads++)
            for (int parts = 0; parts <= 9; parts++) {
                Parallel.setThreads(threads);
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(parts, 1));
                int n = parts;
                Parallel.run(parts, (part, count) -> {
                    assertEquals(n, count);
                    runs.incrementAndGet(part);
                });
                for (int p = 0; p < parts; p++) assertEquals(1, runs.get(p), "part " + p + " of " + parts + " on " + threads + " threads");
            }
    }

    @Test void partsRunOnWorkerThreadsToo() {
        Parallel.setThreads(2);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        // the caller claims parts too, so a trivial region may finish before the worker wakes: the
        // caller's part waits (a bounded time) for the other part to be claimed by a worker
        Thread me = Thread.currentThread();
        for (int i = 0; i < 100 && seen.size() < 2; i++)
            Parallel.run(2, (p, n) -> {
                seen.add(Thread.currentThread());
                long until = System.nanoTime() + 20_000_000L;
                while (Thread.currentThread() == me && seen.size() < 2 && System.nanoTime() < until) LockSupport.parkNanos(100_000L);
            });
        assertEquals(2, seen.size(), "two parts on two threads should use a worker");
        for (Thread t : seen) if (t != Thread.currentThread()) assertTrue(t.isDaemon(), "workers must not keep the JVM alive");
    }

    @Test void aFailingPartIsRethrownAfterAllPartsFinish() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.run(4, (p, n) -> {
            runs.incrementAndGet(p);
            if (p == 1) throw new IllegalStateException("part 1 failed");
        }));
        assertEquals("part 1 failed", e.getMessage());
        assertEquals(1, runs.get(1));
        // the pool is usable afterwards
        AtomicIntegerArray again = new AtomicIntegerArray(2);
        Parallel.run(2, (p, n) -> again.incrementAndGet(p));
        assertEquals(1, again.get(0));
        assertEquals(1, again.get(1));
    }

    @Test void nestedRegionsRunOnTheirCaller() {
        Parallel.setThreads(2);
        AtomicIntegerArray inner = new AtomicIntegerArray(6);
        Parallel.run(2, (p, n) -> {
            Thread me = Thread.currentThread();
            Parallel.run(3, (q, m) -> {
                assertSame(me, Thread.currentThread(), "a nested region must not wait for the busy pool");
                inner.incrementAndGet(p * 3 + q);
            });
        });
        for (int i = 0; i < 6; i++) assertEquals(1, inner.get(i));
    }

    @Test void aSecondCallerWhileThePoolIsBusyRunsSerially() throws Exception {
        Parallel.setThreads(2);
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread holder = new Thread(() -> Parallel.run(2, (p, n) -> {
            if (p == 0) {
                inside.countDown();
                try { release.await(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            }
        }));
        holder.start();
        inside.await();
        Thread me = Thread.currentThread();
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        Parallel.run(2, (p, n) -> {
            assertSame(me, Thread.currentThread());
            runs.incrementAndGet(p);
        });
        release.countDown();
        holder.join();
        assertEquals(1, runs.get(0));
        assertEquals(1, runs.get(1));
    }

    @Test void aRegionFinishesOnTheCallerWhileTheWorkersCannotRun() throws Exception {
        // a worker the OS has not scheduled (the other core busy) must not hold the region up
        Parallel.setThreads(2);
        Parallel.run(2, (p, n) -> { }); // the worker exists and waits for work
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger heldBack = new AtomicInteger();
        Parallel.beforeWorkerClaim = () -> {
            heldBack.incrementAndGet();
            try { release.await(); } catch (InterruptedException e) { throw new RuntimeException(e); }
        };
        try {
            Thread me = Thread.currentThread();
            for (int region = 0; region < 3; region++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(8);
                Parallel.run(8, (p, n) -> {
                    assertSame(me, Thread.currentThread(), "no worker could claim part " + p);
                    runs.incrementAndGet(p);
                });
                for (int p = 0; p < 8; p++) assertEquals(1, runs.get(p));
            }
        } finally {
            Parallel.beforeWorkerClaim = null;
            release.countDown();
        }
        // released late, the worker finds nothing left to claim and the pool keeps working
        AtomicIntegerArray again = new AtomicIntegerArray(4);
        for (int i = 0; i < 100; i++) Parallel.run(4, (p, n) -> again.incrementAndGet(p));
        for (int p = 0; p < 4; p++) assertEquals(100, again.get(p));
    }

    @Test void theCallerWaitsForAPartAWorkerClaimed() throws Exception {
        Parallel.setThreads(2);
        CountDownLatch claimed = new CountDownLatch(1);
        AtomicIntegerArray done = new AtomicIntegerArray(2);
        Thread me = Thread.currentThread();
        Parallel.run(2, (p, n) -> {
            if (Thread.currentThread() == me) {
                // give a worker the chance to claim the other part, without depending on it
                try { claimed.await(20, java.util.concurrent.TimeUnit.MILLISECONDS); } catch (InterruptedException e) { throw new RuntimeException(e); }
            } else {
                claimed.countDown();
                LockSupport.parkNanos(30_000_000L); // a slow part: the caller must not return before it
            }
            done.set(p, 1);
        });
        assertEquals(1, done.get(0));
        assertEquals(1, done.get(1));
    }

    @Test void aStallOnADescheduledWorkerRunsTheNextRegionsOnTheCaller() {
        // a worker that loses its core mid-part holds the region up once; the regions right after
        // it run on the caller alone instead of stalling again each time
        Parallel.setThreads(2);
        Thread me = Thread.currentThread();
        for (int i = 0; i < 100 && !Parallel.backingOff(); i++) {
            Parallel.endBackoff();
            stallingRegion();
        }
        assertTrue(Parallel.backingOff(), "a region whose worker held its part 2.5 ms should start a backoff");
        long after = System.nanoTime();
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        Parallel.run(4, (p, n) -> {
            assertSame(me, Thread.currentThread(), "part " + p + " right after a stall");
            runs.incrementAndGet(p);
        });
        assertTrue(System.nanoTime() - after < Parallel.BACKOFF_NANOS, "the check ran within the backoff");
        for (int p = 0; p < 4; p++) assertEquals(1, runs.get(p));
        // once the backoff ends, workers take parts again
        Parallel.endBackoff();
        Set<Thread> again = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 100 && again.size() < 2; i++)
            Parallel.run(2, (p, n) -> {
                again.add(Thread.currentThread());
                long until = System.nanoTime() + 20_000_000L;
                while (Thread.currentThread() == me && again.size() < 2 && System.nanoTime() < until) LockSupport.parkNanos(100_000L);
            });
        assertEquals(2, again.size());
    }

    /**
     * One 2-part region whose worker, once it has its part, holds it 2.5 ms off its core (parked,
     * as a descheduled worker would be); the caller's part waits until the worker has joined.
     */
    private static void stallingRegion() {
        Thread me = Thread.currentThread();
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.run(2, (p, n) -> {
            seen.add(Thread.currentThread());
            if (Thread.currentThread() != me) {
                LockSupport.parkNanos(5 * Parallel.STALL_NANOS);
                return;
            }
            long until = System.nanoTime() + 20_000_000L;
            while (seen.size() < 2 && System.nanoTime() < until) LockSupport.parkNanos(100_000L);
        });
    }

    /** Runs stalling regions until one starts a backoff. */
    private static void stallOnce() {
        for (int i = 0; i < 100 && !Parallel.backingOff(); i++) stallingRegion();
        assertTrue(Parallel.backingOff(), "a region whose worker held its part 2.5 ms should start a backoff");
    }

    /** Runs stalling regions until one counts as a stall. */
    private static void oneStall() {
        int before = Parallel.stalls;
        for (int i = 0; i < 100 && Parallel.stalls == before; i++) stallingRegion();
        assertEquals(before + 1, Parallel.stalls, "a region whose worker held its part 2.5 ms should count as a stall");
    }

    @Test void aLoneStallStartsNoBackoffAndOnesInARowDo() {
        // one stall is a slow wake-up or a JIT thread passing through: regions keep splitting;
        // stalls whose waits pass 10 ms within a second are a busy core
        Parallel.setThreads(2);
        Parallel.forgetStalls();
        oneStall();
        assertFalse(Parallel.backingOff(), "a lone stall must not serialize the next regions");
        assertEquals(2, Parallel.threads());
        for (int i = 0; i < 20 && !Parallel.backingOff(); i++) oneStall();
        assertTrue(Parallel.backingOff(), "stalls in a row (2.5 ms each) should back off");
        // long after the last one, a stall is alone again
        Parallel.endBackoff();
        LockSupport.parkNanos(Parallel.STALL_WINDOW_NANOS + 10_000_000L);
        oneStall();
        assertFalse(Parallel.backingOff());
    }

    @Test void regionsTheCallerRanAloneAreNotTallied() {
        // a worker that is asleep when regions come (held back here) costs the caller nothing but
        // the wake-up: such regions say nothing about a slow worker and must not start a backoff
        Parallel.setThreads(2);
        Thread me = Thread.currentThread();
        AtomicInteger workerParts = new AtomicInteger();
        Parallel.beforeWorkerClaim = () -> LockSupport.parkNanos(2_000_000L);
        int before = Parallel.lostTallies;
        for (int i = 0; i < 4 * Parallel.TALLY_REGIONS; i++)
            Parallel.run(2, (p, n) -> { if (Thread.currentThread() != me) workerParts.incrementAndGet(); spin(20_000L); });
        Parallel.beforeWorkerClaim = null;
        assumeTrue(workerParts.get() == 0, "the held-back worker still took a part; the case is not shown on this run");
        assertEquals(before, Parallel.lostTallies);
        assertFalse(Parallel.backingOff());
    }

    @Test void stallsRightAfterABackoffDoubleItUpToTheCapAndALateOneStartsOver() {
        // a core that stays busy: each stall soon after the last backoff ended backs off twice as long
        Parallel.setThreads(2);
        stallOnce();
        assertEquals(Parallel.BACKOFF_NANOS, Parallel.lastBackoffNanos());
        // kernels asked while it lasts split for one thread; partitions that must not vary keep the count set
        assertEquals(1, Parallel.threads());
        assertEquals(2, Parallel.configuredThreads());
        long expected = Parallel.BACKOFF_NANOS;
        for (int k = 0; k < 7; k++) {
            Parallel.expireBackoff();
            stallOnce();
            expected = Math.min(2 * expected, Parallel.MAX_BACKOFF_NANOS);
            assertEquals(expected, Parallel.lastBackoffNanos(), "stall " + (k + 2));
        }
        assertEquals(Parallel.MAX_BACKOFF_NANOS, Parallel.lastBackoffNanos(), "50 ms doubled 6 times is capped at 1.6 s");
        // a stall long after (here: with no backoff on record) starts from the first length again
        Parallel.endBackoff();
        assertEquals(2, Parallel.threads());
        stallOnce();
        assertEquals(Parallel.BACKOFF_NANOS, Parallel.lastBackoffNanos());
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }

    @Test void aWorkerSlowerThanTheCallerBacksOffAfterATallyWithoutAnyStall() {
        // a worker whose parts take 8x the caller's (its core shared), each wait well under the
        // 0.5 ms stall limit: a tally of regions shows the split lost time, and regions go serial
        Parallel.setThreads(2);
        Thread me = Thread.currentThread();
        int before = Parallel.lostTallies;
        for (int i = 0; i < 4000 && Parallel.lostTallies == before; i++) {
            Parallel.endBackoff();
            Parallel.run(2, (p, n) -> spin(Thread.currentThread() == me ? 30_000L : 240_000L));
        }
        assertTrue(Parallel.lostTallies > before, "a tally should find that the slow worker's split lost time");
        assertTrue(Parallel.backingOff());
    }

    @Test void manyRegionsInARowRunEveryPartExactlyOnce() {
        // back-to-back regions of varying size: a late worker must never claim a part of the wrong region
        Parallel.setThreads(3);
        java.util.Random rnd = new java.util.Random(13);
        for (int region = 0; region < 20_000; region++) {
            int parts = 2 + rnd.nextInt(7), id = region;
            AtomicIntegerArray runs = new AtomicIntegerArray(parts);
            Parallel.run(parts, (p, n) -> {
                assertEquals(parts, n, "region " + id);
                runs.incrementAndGet(p);
            });
            for (int p = 0; p < parts; p++) assertEquals(1, runs.get(p), "region " + region + " part " + p);
        }
    }

    @Test void everyFailureWaitsForAllPartsAndTheFirstIsRethrown() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(6);
        RuntimeException e = assertThrows(RuntimeException.class, () -> Parallel.run(6, (p, n) -> {
            runs.incrementAndGet(p);
            if (p % 2 == 1) throw new IllegalArgumentException("part " + p);
        }));
        assertTrue(e.getMessage().startsWith("part "), e.getMessage());
        for (int p = 0; p < 6; p++) assertEquals(1, runs.get(p), "part " + p);
    }

    @Test void threadCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
