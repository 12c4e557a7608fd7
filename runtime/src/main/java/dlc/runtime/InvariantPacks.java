package dlc.runtime;

/**
 * Loop invariants packed once per loop: while a {@link Scan} runs, the arrays it passes unchanged
 * to every step (its captured operands, e.g. an LSTM's {@code W_h}) are registered here under a
 * token unique to that run, and {@link TiledGemmKernel} keeps the B panels it packs from such an
 * array, reusing them at the next step instead of packing the same matrix again (an LSTM step's
 * {@code h @ W_h} packs 128 x 512 floats to multiply 32 rows: about a fifth of its time).
 *
 * <p>Why it is safe: a scan body never writes its inputs, and nothing else runs on the calling
 * thread while the scan does, so a registered array holds the same values for the whole run; a
 * cached panel is reused only under the token of the run that packed it, and every run takes a
 * new token, so an array updated between runs (an optimizer step) is packed afresh. A GEMM whose
 * B is not registered (the token is 0) packs as always.
 *
 * <p>A {@link NarrowMatrix}'s decoded float32 values, which never change, are registered under a
 * token the matrix keeps for its lifetime, so batched inference with narrow weights packs them once
 * per thread rather than at every call.
 *
 * <p>The registry is per calling thread (nested scans stack); a multi-threaded GEMM hands the
 * token it looked up to its workers ({@link GemmJob}), whose own {@link GemmScratch} keep their
 * own panels. Nothing is allocated once the caches have grown. A thread's cache holds on to the
 * last few invariant arrays it packed (and their panels) until newer ones replace them.
 */
final class InvariantPacks {
    private static final java.util.concurrent.atomic.AtomicLong TOKENS = new java.util.concurrent.atomic.AtomicLong();
    private static final ThreadLocal<InvariantPacks> LOCAL = ThreadLocal.withInitial(InvariantPacks::new);

    /** Registered runs, innermost last: the operands array, the range of it that is invariant, the token. */
    private Object[][] arrays = new Object[4][];
    private int[] from = new int[4], to = new int[4];
    private long[] tokens = new long[4];
    private int depth;

    private InvariantPacks() {}

    /** Registers {@code operands[from..to)} as invariant until {@link #end()}; returns the run's token. */
    static long begin(Object[] operands, int from, int to) {
        long token = newToken();
        begin(operands, from, to, token);
        return token;
    }

    /** A token no run has used: for an owner whose arrays never change (a {@link NarrowMatrix}'s decoded values) to keep across calls. */
    static long newToken() { return TOKENS.incrementAndGet(); }

    /**
     * Registers {@code operands[from..to)} under a token the caller keeps from call to call: only
     * for arrays that never change while the token is used, whose panels are then packed once and
     * reused by every later call (while the thread's cache keeps them).
     */
    static void begin(Object[] operands, int from, int to, long token) {
        InvariantPacks p = LOCAL.get();
        if (p.depth == p.tokens.length) p.grow();
        p.arrays[p.depth] = operands;
        p.from[p.depth] = from;
        p.to[p.depth] = to;
        p.tokens[p.depth] = token;
        p.depth++;
    }

    /** Ends the innermost registration. */
    static void end() {
        InvariantPacks p = LOCAL.get();
        if (p.depth == 0) throw new IllegalStateException("InvariantPacks.end without begin");
        p.depth--;
        p.arrays[p.depth] = null;
    }

    /** The token under which {@code b} is invariant on this thread, or 0 when it is not registered. */
    static long tokenOf(Object b) {
        InvariantPacks p = LOCAL.get();
        for (int d = p.depth - 1; d >= 0; d--) {
            Object[] ops = p.arrays[d];
            for (int i = p.from[d]; i < p.to[d]; i++) if (ops[i] == b) return p.tokens[d];
        }
        return 0;
    }

    private void grow() {
        int n = tokens.length * 2;
        arrays = java.util.Arrays.copyOf(arrays, n);
        from = java.util.Arrays.copyOf(from, n);
        to = java.util.Arrays.copyOf(to, n);
        tokens = java.util.Arrays.copyOf(tokens, n);
    }
}
