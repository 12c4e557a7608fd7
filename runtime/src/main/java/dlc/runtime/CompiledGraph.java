package dlc.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base class of every class the JVM backend generates: one compiled graph (an inference graph,
 * a training step, a scan body). Generated subclasses implement {@link #bind} (evaluate the dims of
 * a binding of the shape symbols and size the buffers of the memory plan) and {@link #execute}
 * (straight-line kernel calls and one loop nest per fusion group).
 *
 * <p>Storage: an {@code f32} tensor is a {@code float[]}, every other dtype (f64, i32, i64, bool as
 * 0/1) a {@code double[]} (exact for integers below 2^53, which is what the float64 reference
 * interpreter computes too). Tensors are dense, row-major. A weight input compiled narrow (signature
 * dtype bf16 or int8) is a {@link NarrowMatrix}, which only the matmul kernels read.
 *
 * <p>Not thread-safe: an instance owns its buffers, so use one instance per thread
 * ({@link #copy()} makes another that shares nothing mutable). After warm-up, {@link #run(Object[], long[])}
 * allocates nothing as long as the symbol binding does not change.
 */
public abstract class CompiledGraph {
    /** Dim values of the current binding, by index in the generated code's dim table. */
    protected int[] d = new int[0];
    /** The float buffers (slots) of the memory plan; the generated code indexes them. */
    protected float[][] fs = new float[0][];
    /** The double buffers (slots) of the memory plan (every non-f32 dtype). */
    protected double[][] ds = new double[0][];

    private final Signature signature;
    private long[] bound;
    /** Element counts of the inputs under the current binding (checked per run without allocating). */
    private int[] inputNumel;
    private final Object[] outputs;

    protected CompiledGraph(String signatureText) {
        this.signature = Signature.parse(signatureText);
        this.outputs = new Object[signature.outputs().size()];
    }

    public final Signature signature() { return signature; }

    /**
     * The bytes of each float buffer ({@code fs}, 4 bytes an element) allocated at the last bind, in
     * slot order: the memory plan's slots, then the kernels' scratch arrays. Empty before the first run.
     */
    public final long[] floatBufferBytes() { return Arrays.stream(fs).mapToLong(a -> a == null ? 0 : 4L * a.length).toArray(); }

    /** As {@link #floatBufferBytes} for the double buffers ({@code ds}, 8 bytes an element). */
    public final long[] doubleBufferBytes() { return Arrays.stream(ds).mapToLong(a -> a == null ? 0 : 8L * a.length).toArray(); }

    /** The bytes of every buffer this instance allocated (slots and kernel scratch; not nested scan bodies'). */
    public final long bufferBytes() { return Arrays.stream(floatBufferBytes()).sum() + Arrays.stream(doubleBufferBytes()).sum(); }

    // ---- loop nests split over Parallel's threads

    /**
     * Loop nests with less work run on the calling thread. A nest's work is its element count
     * times its cost per point (the values it computes plus the buffers it reads and writes, a
     * fraction of a nanosecond to a few each): a split costs a microsecond or two of handoff and
     * moves the nest's operands between the cores' caches, so a nest splits from 256K, e.g. the
     * reference CNN's relu gradients ([64, 32, 28, 28] and [64, 64, 14, 14]) but not an MLP's
     * [128, 256] relu mask (98K) or an LSTM cell's gradient over a [32, 128] step (156K). It was
     * 64K until where() lost its branch (session 9): those nests then ran several times faster
     * alone, their splits lost, and the lost regions backed two-thread steps off (the MLP's
     * batch-128 step at two threads: 1.12-1.68 ms at 64K, 0.88-1.13 at 256K). Benchmarks and
     * tests change it with {@link #setParallelNestMinWork}, a run with
     * {@code -Ddlc.parallel.nestMinWork=N}: the threshold is a tuning for the machine's handoff cost.
     */
    public static final long DEFAULT_NEST_MIN_WORK = 1L << 18;
    private static volatile long parallelNestMinWork = Long.getLong("dlc.parallel.nestMinWork", DEFAULT_NEST_MIN_WORK);
    private int nestId, nestExtent;
    /** Part t of T runs rows [t*E/T, (t+1)*E/T) of the nest's outer loop: fixed by index, so any thread computes the same. */
    private final Parallel.Task nestTask = (part, parts) -> runNest(nestId,
            (int) ((long) part * nestExtent / parts), (int) ((long) (part + 1) * nestExtent / parts), part);

    /**
     * The most parts a reduction nest splits into: a reduction over its outer loop (a column sum
     * over the batch) keeps one partial accumulator per part in its scratch, which the generated
     * code sizes for this many.
     */
    public static final int MAX_REDUCTION_PARTS = 8;

    /** Tests and benchmarks: the least work (elements times cost per point) of a nest split over threads (0: every one). */
    public static void setParallelNestMinWork(long work) {
        if (work < 0) throw new IllegalArgumentException("work must be >= 0, got " + work);
        parallelNestMinWork = work;
    }

    /**
     * Runs elementwise loop nest {@code nest} (no reduction: every point is written by one
     * iteration, which reads only its own point of each operand) over the outer range [0, extent),
     * split into one range per thread when its {@code work} is at least {@link #parallelNestMinWork}.
     * Each element is computed exactly as on one thread, so results are bit-identical.
     */
    protected final void parallelNest(int nest, int extent, long work) {
        int threads = Parallel.threads();
        if (threads <= 1 || extent < 2 || work < parallelNestMinWork) {
            runNest(nest, 0, extent, 0);
            return;
        }
        nestId = nest;
        nestExtent = extent;
        Parallel.run(Math.min(threads, extent), nestTask);
    }

    /**
     * Runs reduction nest {@code nest} as {@link #parallelNest} runs an elementwise one, into
     * {@code min(threads, extent, MAX_REDUCTION_PARTS)} parts (1 below the work threshold or at
     * one thread), and returns the part count. Part p accumulates rows [p*E/P, (p+1)*E/P) of the
     * outer loop: into its own cells when the outer axis is kept, else into partial accumulator p,
     * which the generated code then combines in part order. The partition depends only on the
     * shapes and the thread count, never on which thread ran a part: results are the same from run
     * to run at one thread count (a sum's rounding may differ between thread counts).
     */
    protected final int parallelReduce(int nest, int extent, long work) {
        int threads = Parallel.configuredThreads(); // not threads(): the partition must not change with a backoff
        int parts = threads <= 1 || extent < 2 || work < parallelNestMinWork ? 1 : Math.min(Math.min(threads, extent), MAX_REDUCTION_PARTS);
        if (parts == 1) {
            runNest(nest, 0, extent, 0);
            return 1;
        }
        nestId = nest;
        nestExtent = extent;
        Parallel.run(parts, nestTask);
        return parts;
    }

    /** The generated code's loop nest {@code nest} over outer indices [from, to) as part {@code part}; classes with such nests override it. */
    protected void runNest(int nest, int from, int to, int part) {
        throw new IllegalStateException("this compiled graph has no loop nest " + nest);
    }

    /** A fresh instance of the same compiled graph with buffers of its own (for another thread). */
    public abstract CompiledGraph copy();

    /**
     * Binds the shape symbols (in {@link Signature#symbols()} order): evaluates every dim the code
     * uses into {@link #d} and sizes the buffers in {@link #fs} and {@link #ds}. Runs only when
     * the binding changes.
     */
    protected abstract void bind(long[] symbols);

    /**
     * Runs the graph. {@code in} holds the inputs in signature order; {@code out} receives the
     * outputs in signature order. An output array may be one of this instance's buffers (valid
     * until the next run) or, for an UPDATE output whose input was donated, that input's own array,
     * updated in place.
     */
    protected abstract void execute(Object[] in, Object[] out);

    /**
     * Runs on flat arrays (inputs in signature order) with the shape symbols given by value, in
     * {@link Signature#symbols()} order. Returns the outputs in signature order, in an array this
     * instance reuses: the no-allocation path for training loops and benchmarks.
     *
     * @throws IllegalArgumentException naming the input when an array has the wrong type or length
     */
    public final Object[] run(Object[] in, long[] symbols) {
        if (in.length != signature.inputs().size())
            throw new IllegalArgumentException("expected " + signature.inputs().size() + " inputs " + signature.inputNames() + ", got " + in.length);
        boolean same = bound != null && Arrays.equals(bound, symbols);
        // Everything about the call is checked before any state changes: a bad call (a wrong length,
        // a binding too large for Java arrays) leaves the instance as it was, for the next good call.
        int[] numel = same ? inputNumel : numels(symbols);
        long[] binding = same ? bound : symbols;
        for (int i = 0; i < in.length; i++) {
            Object a = in[i];
            boolean ok = a instanceof float[] f ? f.length == numel[i] && signature.inputs().get(i).f32()
                    : a instanceof double[] x ? x.length == numel[i] && !signature.inputs().get(i).f32() && !signature.inputs().get(i).narrow()
                    : a instanceof NarrowMatrix q && q.numel() == numel[i] && q.format().equals(signature.inputs().get(i).dtype());
            if (!ok) signature.inputs().get(i).checkArray(a, signature, binding);
        }
        if (!same) rebind(symbols, numel);
        execute(in, outputs);
        return outputs;
    }

    /**
     * The element counts of the inputs under {@code symbols}, after checking that every input and
     * output fits a Java array there; an IllegalArgumentException naming the first that does not.
     */
    private int[] numels(long[] symbols) {
        for (int k = 0; k < symbols.length; k++)
            if (symbols[k] < 0) throw new IllegalArgumentException("dim " + signature.symbols().get(k) + " = " + symbols[k] + " must not be negative");
        List<Signature.Port> ports = signature.inputs();
        int[] numel = new int[ports.size()];
        for (int i = 0; i < numel.length; i++) numel[i] = fitting(ports.get(i), "input", symbols);
        for (Signature.Port p : signature.outputs()) fitting(p, "output", symbols);
        return numel;
    }

    private int fitting(Signature.Port p, String kind, long[] symbols) {
        try {
            return p.numel(signature, symbols);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(kind + " " + p.name() + ": " + p.dtype() + p.shapeText() + " under " + signature.describe(symbols)
                    + " does not fit a Java array (" + e.getMessage() + ")", e);
        }
    }

    /** Binds {@code symbols}; should binding fail (buffers too large), the instance is left unbound, so the next call binds afresh. */
    private void rebind(long[] symbols, int[] numel) {
        long[] copy = symbols.clone();
        bound = null;
        inputNumel = null;
        try {
            bind(copy);
        } catch (NegativeArraySizeException | ArithmeticException e) {
            throw new IllegalArgumentException("the buffers for " + signature.describe(copy) + " do not fit Java arrays; use smaller dims", e);
        }
        bound = copy;
        inputNumel = numel;
    }

    /**
     * Runs without checking array lengths: for the runtime's own callers (scan bodies), whose
     * buffers may be longer than the value they hold (a slot sized for its largest member).
     */
    final Object[] runUnchecked(Object[] in, long[] symbols) {
        if (bound == null || !Arrays.equals(bound, symbols)) rebind(symbols, numels(symbols));
        execute(in, outputs);
        return outputs;
    }

    /**
     * Runs on named tensors: binds the shape symbols from the inputs' shapes, checks every shape and
     * returns fresh tensors (copies) by output name, in signature order. The given tensors are never
     * modified (inputs that an UPDATE output may overwrite are copied first).
     *
     * @throws IllegalArgumentException naming the input and its expected shape when a tensor is
     *                                  missing or has the wrong dtype or shape
     */
    public final Map<String, Tensor> run(Map<String, Tensor> inputs) {
        long[] symbols = signature.bindSymbols(inputs);
        List<Signature.Port> ports = signature.inputs();
        Object[] in = new Object[ports.size()];
        for (int i = 0; i < in.length; i++) {
            Object data = inputs.get(ports.get(i).name()).data();
            // an updated input may be written in place (donation): keep the caller's tensor intact
            in[i] = updated(ports.get(i).name()) ? (data instanceof float[] f ? f.clone() : ((double[]) data).clone()) : data;
        }
        Object[] out = run(in, symbols);
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) {
            Signature.Port p = signature.outputs().get(i);
            int[] shape = p.shape(signature, symbols);
            result.put(p.name(), Tensor.copyOf(p.dtype(), shape, out[i]));
        }
        return result;
    }

    private boolean updated(String input) {
        for (Signature.Port o : signature.outputs()) if (input.equals(o.updates())) return true;
        return false;
    }

    /** Returns {@code a} when it has exactly {@code n} elements, else a new array (used by generated bind methods). */
    protected static float[] ensure(float[] a, int n) { return a != null && a.length == n ? a : new float[n]; }

    /** Returns {@code a} when it has exactly {@code n} elements, else a new array (used by generated bind methods). */
    protected static double[] ensure(double[] a, int n) { return a != null && a.length == n ? a : new double[n]; }

    /** The current binding's value of symbol {@code i} (generated code reads dims through {@link #d} instead). */
    protected final long symbol(int i) { return bound[i]; }
}
