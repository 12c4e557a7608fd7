package dlc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled model with its weights: the base class of the typed class {@code dlc compile} writes
 * into a model jar (e.g. {@code FashionMlp}, with {@code float[] probs(float[] x, int batch)}).
 * The weights (the graph's PARAM and STATE inputs, and a fixed random key when the graph draws
 * random numbers) are jar resources beside the class, read once by {@code load()}; the caller gives
 * the other inputs. The weights never change (a {@link TrainableModel} says when its steps write
 * them), so each thread's GEMMs pack a weight matrix once and reuse the panels ({@link InvariantWeights}).
 *
 * <p><b>Thread safety: an instance is NOT thread-safe.</b> It owns the compiled graph's buffers, so
 * two threads must not call it at once. Give each thread its own instance: {@code copy()} makes one
 * that shares the (read-only) weights but nothing mutable, so it costs only the buffers.
 *
 * <p>Typed methods return fresh arrays the caller owns. Wrong array lengths, shapes or dtypes are an
 * {@link IllegalArgumentException} naming the input and its expected shape.
 */
public abstract class Model {
    private final CompiledGraph graph;
    /** Preset tensors (weights) by signature input index; null where the caller gives the input. */
    private final Tensor[] presets;
    /** The presets' arrays, which no one writes (a TrainableModel says when it does): GEMMs pack them once. */
    private final InvariantWeights invariant;
    /** Signature indices of the inputs callers give, in signature order. */
    private final int[] callerInputs;
    /** The input array handed to the graph, reused across calls. */
    private final Object[] in;

    /** A model of {@code graph} with the weights stored as resources beside {@code anchor} (the generated class). */
    protected Model(CompiledGraph graph, Class<?> anchor) {
        this(graph, readWeights(graph.signature(), anchor));
    }

    /**
     * A model of {@code graph} with the given weights (PARAM and STATE inputs by name, and optionally
     * preset INPUTs such as a random key); every other input is the caller's.
     */
    protected Model(CompiledGraph graph, Map<String, Tensor> weights) {
        this(graph, presets(graph.signature(), weights));
    }

    private Model(CompiledGraph graph, Tensor[] presets) {
        this(graph, presets, new InvariantWeights(Arrays.stream(presets).map(t -> t == null ? null : t.data()).toArray()));
    }

    /** Another instance of {@code other}: fresh buffers, the same (shared, read-only) weights. */
    protected Model(Model other) {
        this(other.graph.copy(), other.presets, other.invariant);
    }

    private Model(CompiledGraph graph, Tensor[] presets, InvariantWeights invariant) {
        this.graph = graph;
        this.presets = presets;
        this.invariant = invariant;
        int callers = 0;
        for (Tensor t : presets) if (t == null) callers++;
        this.callerInputs = new int[callers];
        for (int i = 0, k = 0; i < presets.length; i++) if (presets[i] == null) callerInputs[k++] = i;
        this.in = new Object[presets.length];
        for (int i = 0; i < presets.length; i++) if (presets[i] != null) in[i] = presets[i].data();
    }

    /** The compiled graph's inputs (weights included), outputs and shape symbols. */
    public final Signature signature() { return graph.signature(); }

    /** The inputs callers give (every input but the weights), in signature order. */
    public final List<String> inputNames() {
        List<String> names = new ArrayList<>();
        for (int i : callerInputs) names.add(graph.signature().inputs().get(i).name());
        return names;
    }

    /** The outputs, in signature order. */
    public final List<String> outputNames() { return graph.signature().outputs().stream().map(Signature.Port::name).toList(); }

    /**
     * Runs on named tensors (the inputs of {@link #inputNames()}); the shape symbols are bound from
     * their shapes. Returns fresh tensors by output name.
     *
     * @throws IllegalArgumentException naming the input and its expected shape when a tensor is
     *                                  missing, unknown or has the wrong dtype or shape
     */
    public final Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Signature sig = graph.signature();
        for (String name : inputs.keySet()) {
            int i = sig.inputIndex(name);
            if (i < 0) throw new IllegalArgumentException("unknown input '" + name + "'; the model's inputs are " + describeInputs());
            if (presets[i] != null) throw new IllegalArgumentException("'" + name + "' is a weight of the model, not an input; the inputs are " + describeInputs());
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (int i = 0; i < presets.length; i++) {
            Signature.Port p = sig.inputs().get(i);
            all.put(p.name(), presets[i] != null ? presets[i] : inputs.get(p.name()));
        }
        all.values().removeIf(java.util.Objects::isNull); // a missing input is reported by bindSymbols with its shape
        invariant.begin();
        try {
            return graph.run(all);
        } finally {
            invariant.end();
        }
    }

    /**
     * Output {@code index} (signature order) for the caller inputs {@code inputs} (in
     * {@link #inputNames()} order) with the symbols {@code symbols} (in {@link Signature#symbols()}
     * order): a fresh array. The generated typed methods call this.
     */
    protected final Object output(int index, Object[] inputs, long[] symbols) {
        Signature sig = graph.signature();
        if (inputs.length != callerInputs.length)
            throw new IllegalArgumentException("expected " + callerInputs.length + " inputs " + inputNames() + ", got " + inputs.length);
        if (symbols.length != sig.symbols().size())
            throw new IllegalArgumentException("expected " + sig.symbols().size() + " dims " + sig.symbols() + ", got " + symbols.length);
        for (int k = 0; k < symbols.length; k++)
            if (symbols[k] < 0) throw new IllegalArgumentException("dim " + sig.symbols().get(k) + " = " + symbols[k] + " must not be negative");
        for (int k = 0; k < callerInputs.length; k++) in[callerInputs[k]] = inputs[k];
        invariant.begin();
        try {
            Object[] out = graph.run(in, symbols);
            int n = sig.outputs().get(index).numel(sig, symbols);
            return out[index] instanceof float[] f ? Arrays.copyOf(f, n) : Arrays.copyOf((double[]) out[index], n);
        } finally {
            invariant.end();
            for (int k : callerInputs) in[k] = null; // do not keep the caller's arrays alive
        }
    }

    /** The weights were written (a training step, a load): the GEMMs' packed panels of them are dropped. */
    final void weightsChanged() { invariant.changed(); }

    private String describeInputs() {
        StringBuilder sb = new StringBuilder("[");
        for (int i : callerInputs) {
            Signature.Port p = graph.signature().inputs().get(i);
            if (sb.length() > 1) sb.append(", ");
            sb.append(p.name()).append(": ").append(p.dtype()).append(p.shapeText());
        }
        return sb.append(']').toString();
    }

    private static Tensor[] presets(Signature sig, Map<String, Tensor> weights) {
        Tensor[] out = new Tensor[sig.inputs().size()];
        for (String name : weights.keySet())
            if (sig.inputIndex(name) < 0) throw new IllegalArgumentException("weight '" + name + "' is not an input of the graph; its inputs are " + sig.inputNames());
        for (int i = 0; i < out.length; i++) {
            Signature.Port p = sig.inputs().get(i);
            Tensor t = weights.get(p.name());
            if (t == null && (p.role().equals("PARAM") || p.role().equals("STATE")))
                throw new IllegalArgumentException("no value for the weight " + p.name() + ": " + p.dtype() + p.shapeText());
            if (t != null && (!t.dtype().equals(p.dtype()) || t.shape().length != p.dims().length))
                throw new IllegalArgumentException("weight " + p.name() + ": expected " + p.dtype() + p.shapeText() + ", got " + t);
            out[i] = t;
        }
        return out;
    }

    /**
     * A weight stored narrow: the values resource (bfloat16 bits or int8 codes) and, for int8, the
     * scales resource beside it ({@link #scalesResource}).
     */
    private static Tensor narrow(Signature.Port p, Tensor values, Class<?> anchor) throws IOException {
        Tensor scales = null;
        if (p.dtype().equals(NarrowMatrix.INT8)) {
            String res = scalesResource(anchor.getSimpleName(), p.name());
            try (InputStream s = anchor.getResourceAsStream(res)) {
                if (s == null) throw new IllegalStateException("model " + anchor.getName() + ": the scales of the int8 weight " + p.name() + " (resource " + res + ") are missing from the jar");
                scales = Npy.read(s);
            }
        }
        try {
            NarrowMatrix q = NarrowMatrix.fromNpy(p.dtype(), values, scales);
            return new Tensor(p.dtype(), values.shape(), q);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("model " + anchor.getName() + ": weight " + p.name() + ": " + e.getMessage(), e);
        }
    }

    /** The resource that holds the per-column scales of the int8 weight {@code name} (beside {@link #weightResource}). */
    public static String scalesResource(String modelSimpleName, String name) {
        String values = weightResource(modelSimpleName, name);
        return values.substring(0, values.length() - ".npy".length()) + ".scales.npy";
    }

    /** The resource (relative to the model class) that holds the preset value of input {@code name}. */
    public static String weightResource(String modelSimpleName, String name) {
        return modelSimpleName + ".weights/" + name.replaceAll("[^A-Za-z0-9._-]", "_") + ".npy";
    }

    /**
     * The preset tensors of {@code sig}'s inputs: every PARAM and STATE input must have a resource,
     * an INPUT may have one (a fixed random key); others are left null for the caller.
     */
    static Tensor[] readWeights(Signature sig, Class<?> anchor) {
        Tensor[] out = new Tensor[sig.inputs().size()];
        for (int i = 0; i < out.length; i++) {
            Signature.Port p = sig.inputs().get(i);
            String res = weightResource(anchor.getSimpleName(), p.name());
            try (InputStream s = anchor.getResourceAsStream(res)) {
                if (s == null) {
                    if (p.role().equals("PARAM") || p.role().equals("STATE"))
                        throw new IllegalStateException("model " + anchor.getName() + ": the weight " + p.name() + " (resource " + res + ") is missing from the jar");
                    continue;
                }
                Tensor t = p.narrow() ? narrow(p, Npy.read(s), anchor) : Npy.cast(Npy.read(s), p.dtype());
                if (t.shape().length != p.dims().length)
                    throw new IllegalStateException("model " + anchor.getName() + ": weight " + p.name() + " has shape " + t + ", expected " + p.dtype() + p.shapeText());
                out[i] = t;
            } catch (IOException e) {
                throw new UncheckedIOException("model " + anchor.getName() + ": cannot read weight " + p.name() + " (" + res + "): " + e.getMessage(), e);
            }
        }
        return out;
    }
}
