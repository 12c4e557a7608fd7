package dlc.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * Weight arrays that stay the same from one run of a compiled graph to the next, so that a GEMM
 * reading one of them as its B operand packs B's panels once per thread and reuses them at later
 * calls ({@link InvariantPacks}), as ONNX Runtime pre-packs its weights. On the MLP's
 * 128 x 784 x 256 layer, packing W is about 8 % of the multiply.
 *
 * <p>The caller brackets each run with {@link #begin()} and {@link #end()} on the running thread
 * and calls {@link #changed()} after it writes any of the arrays: the next run then packs afresh
 * and the old panels are never read again. Forgetting {@code changed()} after a write makes later
 * runs use the old weights, so only owners that control every write use this: {@link Model} for
 * its read-only weights, {@link TrainableModel} (which calls {@code changed()} after each step and
 * each load), and the benchmark's inference loop. Copies of a model share one instance: the token
 * is read at {@code begin()}, the registrations are per thread.
 */
public final class InvariantWeights {
    private final Object[] arrays;
    private volatile long token = InvariantPacks.newToken();

    /** The arrays (nulls skipped) as invariant until {@link #changed()}. */
    public InvariantWeights(Object[] arrays) {
        this.arrays = Arrays.stream(arrays).filter(Objects::nonNull).toArray();
    }

    /** Registers the arrays on this thread for the run that follows; pair with {@link #end()} in a finally block. */
    public void begin() { InvariantPacks.begin(arrays, 0, arrays.length, token); }

    /** Ends this thread's registration. */
    public void end() { InvariantPacks.end(); }

    /** Some array was written: panels packed from the old values are not used again. */
    public void changed() { token = InvariantPacks.newToken(); }
}
