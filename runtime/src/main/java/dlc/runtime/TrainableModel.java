package dlc.runtime;

import dlc.numerics.Rng;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A model jar compiled with {@code dlc compile --trainable}: the inference graph of {@link Model}
 * plus the model's training step graph (forward, gradients and the train block's optimizer, as
 * {@code dlc train} runs it on the JVM backend) and the training state (parameters, optimizer
 * state, step counter). The typed subclass adds {@code trainStep(x, y, batch)} and
 * {@code fit(x, y, epochs, batchSize, seed)}, which forward to {@link #step} and {@link #fitArrays}.
 *
 * <p>A step updates the weights in place, so the inference methods see them at once. The random
 * key of step k is the one {@code dlc train} gives batch k for the same seed, so the same batches
 * give the same losses and weights as the JVM backend's training run.
 *
 * <p><b>Not thread-safe.</b> {@code copy()} of a trainable model shares the weights and the
 * training state (it has buffers of its own): training one instance changes what every copy
 * computes, so do not train while copies run on other threads.
 */
public abstract class TrainableModel extends Model {
    /** The resource beside the class with the model's name, seed and step count. */
    public static String infoResource(String modelSimpleName) { return modelSimpleName + ".weights/dlc-train.properties"; }

    /** What copies share: the state tensors (arrays updated in place) and the counters. */
    private static final class Shared {
        final Map<String, Tensor> state = new LinkedHashMap<>();
        final Map<String, String> roles = new LinkedHashMap<>();
        String model;
        long seed, steps;
        int epochs;
        Tensor[] inferencePresets;
    }

    private final Shared shared;
    private final CompiledGraph step;
    private final int[] callers;
    private final int key, loss;
    private final Object[] in;
    private final double[] keyArray = new double[1];

    /** The model of the generated classes {@code inference} and {@code step}, with the state stored as resources beside {@code anchor}. */
    protected TrainableModel(CompiledGraph inference, CompiledGraph step, Class<?> anchor) {
        this(inference, step, read(inference.signature(), step.signature(), anchor));
    }

    /** Another instance sharing {@code other}'s weights and training state, with buffers of its own. */
    protected TrainableModel(TrainableModel other) {
        super(other);
        this.shared = other.shared;
        this.step = other.step.copy();
        this.callers = other.callers;
        this.key = other.key;
        this.loss = other.loss;
        this.in = wire(step.signature(), shared);
    }

    private TrainableModel(CompiledGraph inference, CompiledGraph step, Shared s) {
        super(inference, inferenceWeights(inference.signature(), s));
        this.shared = s;
        this.step = step;
        Signature sig = step.signature();
        List<Integer> c = new ArrayList<>();
        int k = -1;
        for (int i = 0; i < sig.inputs().size(); i++) {
            Signature.Port p = sig.inputs().get(i);
            if (s.state.containsKey(p.name())) continue;
            if (isKey(p)) k = i;
            else c.add(i);
        }
        this.callers = c.stream().mapToInt(Integer::intValue).toArray();
        this.key = k;
        int l = -1;
        for (int o = 0; o < sig.outputs().size() && l < 0; o++) if (sig.outputs().get(o).role().equals("LOSS")) l = o;
        if (l < 0) throw new IllegalStateException("the step graph has no loss output");
        this.loss = l;
        this.in = wire(sig, s);
    }

    private static boolean isKey(Signature.Port p) { return p.name().equals("rng") && p.dtype().equals("i64") && p.dims().length == 0 && p.role().equals("INPUT"); }

    private static Object[] wire(Signature sig, Shared s) {
        Object[] in = new Object[sig.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            Tensor t = s.state.get(sig.inputs().get(i).name());
            if (t != null) in[i] = t.data();
        }
        return in;
    }

    /** The inference graph's presets, sharing the arrays of the training state where the names agree. */
    private static Map<String, Tensor> inferenceWeights(Signature sig, Shared s) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (int i = 0; i < sig.inputs().size(); i++) {
            Signature.Port p = sig.inputs().get(i);
            Tensor t = s.state.containsKey(p.name()) ? s.state.get(p.name()) : s.inferencePresets[i];
            if (t != null) w.put(p.name(), t);
        }
        return w;
    }

    private static Shared read(Signature inference, Signature step, Class<?> anchor) {
        Shared s = new Shared();
        Tensor[] stepPresets = Model.readWeights(step, anchor);
        for (int i = 0; i < stepPresets.length; i++) {
            Signature.Port p = step.inputs().get(i);
            if (p.role().equals("PARAM") || p.role().equals("STATE")) {
                s.state.put(p.name(), stepPresets[i]);
                s.roles.put(p.name(), p.role());
            }
        }
        s.inferencePresets = Model.readWeights(inference, anchor);
        Properties info = new Properties();
        String res = infoResource(anchor.getSimpleName());
        try (InputStream r = anchor.getResourceAsStream(res)) {
            if (r == null) throw new IllegalStateException("model " + anchor.getName() + ": the resource " + res + " is missing from the jar");
            info.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("model " + anchor.getName() + ": cannot read " + res + ": " + e.getMessage(), e);
        }
        s.model = info.getProperty("model");
        s.seed = Long.parseLong(info.getProperty("seed"));
        s.steps = Long.parseLong(info.getProperty("step"));
        s.epochs = Integer.parseInt(info.getProperty("epoch"));
        return s;
    }

    /** The inputs {@code trainStep} takes, in order (the step graph's inputs but the weights and its random key). */
    public final List<String> trainInputNames() {
        List<String> names = new ArrayList<>();
        for (int i : callers) names.add(step.signature().inputs().get(i).name());
        return names;
    }

    /** The training step graph's signature. */
    public final Signature trainSignature() { return step.signature(); }

    /** Training steps taken so far (counting those of the run that wrote the loaded weights). */
    public final long steps() { return shared.steps; }

    /**
     * One training step on a batch: {@code inputs} in {@link #trainInputNames()} order, the shape
     * symbols in the step signature's order. Updates the weights and optimizer state in place and
     * returns the loss (before the update, as {@code dlc train} reports it). The typed
     * {@code trainStep} methods call this.
     *
     * @throws IllegalArgumentException naming the input when an array has the wrong type or length (nothing changes)
     * @throws IllegalStateException    when the loss is not finite
     */
    protected final double step(Object[] inputs, long[] symbols) {
        Signature sig = step.signature();
        if (inputs.length != callers.length)
            throw new IllegalArgumentException("expected " + callers.length + " training inputs " + trainInputNames() + ", got " + inputs.length);
        if (symbols.length != sig.symbols().size())
            throw new IllegalArgumentException("expected " + sig.symbols().size() + " dims " + sig.symbols() + ", got " + symbols.length);
        for (int k = 0; k < callers.length; k++) in[callers[k]] = inputs[k];
        if (key >= 0) {
            keyArray[0] = Rng.fold(trainKey(shared.seed), shared.steps);
            in[key] = keyArray;
        }
        try {
            Object[] out = step.run(in, symbols);
            double l = out[loss] instanceof float[] f ? f[0] : ((double[]) out[loss])[0];
            if (!Double.isFinite(l))
                throw new IllegalStateException("the training loss is " + l + " at step " + (shared.steps + 1)
                        + "; the weights may be partly updated (load saved weights to go back); try a smaller learning rate");
            boolean counted = false;
            for (int o = 0; o < out.length; o++) {
                Signature.Port p = sig.outputs().get(o);
                if (!p.role().equals("UPDATE")) continue;
                Tensor target = shared.state.get(p.updates());
                if (target == null) throw new IllegalStateException("the step graph updates '" + p.updates() + "', which is not part of the training state");
                if (out[o] != target.data()) System.arraycopy(out[o], 0, target.data(), 0, target.numel());
                counted |= p.updates().equals("step");
            }
            Tensor counter = shared.state.get("step");
            if (!counted && counter != null && counter.data() instanceof double[] c && c.length == 1) c[0]++;
            shared.steps++;
            return l;
        } finally {
            weightsChanged(); // even a failed step may have written some weights
            for (int k : callers) in[k] = null;
        }
    }

    /** The key the step keys are folded from: {@code dlc train}'s for the same seed. */
    static long trainKey(long seed) { return Rng.fold(Rng.fold(seed, 0), 2); }

    /**
     * Trains {@code epochs} epochs on whole arrays: {@code inputs} in {@link #trainInputNames()}
     * order, each holding n samples along its first dim (the batch dim), shuffled every epoch by
     * {@code seed} and cut into mini-batches of {@code batchSize} (the last one may be smaller).
     * Returns the mean loss of each epoch. The typed {@code fit} methods call this.
     *
     * @throws IllegalArgumentException when the arrays do not hold the same whole number of samples
     * @throws UnsupportedOperationException when the step graph has dims other than the batch dim
     */
    protected final double[] fitArrays(Object[] inputs, int epochs, int batchSize, long seed) {
        Signature sig = step.signature();
        if (epochs < 0) throw new IllegalArgumentException("epochs must not be negative, got " + epochs);
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (inputs.length != callers.length)
            throw new IllegalArgumentException("expected " + callers.length + " training inputs " + trainInputNames() + ", got " + inputs.length);
        if (sig.symbols().size() != 1)
            throw new UnsupportedOperationException("fit needs a step graph whose only dim is the batch; this one has " + sig.symbols() + ": call trainStep");
        String b = sig.symbols().get(0);
        int[] per = new int[callers.length];
        int n = -1;
        for (int k = 0; k < callers.length; k++) {
            Signature.Port p = sig.inputs().get(callers[k]);
            if (p.dims().length == 0 || !p.dims()[0].trim().equals(b))
                throw new UnsupportedOperationException("fit needs every training input batched along its first dim " + b + "; " + p.name() + " is "
                        + p.dtype() + p.shapeText() + ": call trainStep");
            per[k] = p.numel(sig, new long[]{1});
            int len = inputs[k] instanceof float[] f && p.dtype().equals("f32") ? f.length
                    : inputs[k] instanceof double[] d && !p.dtype().equals("f32") ? d.length : -1;
            if (len < 0) throw new IllegalArgumentException("input " + p.name() + ": expected " + (p.dtype().equals("f32") ? "float[]" : "double[]")
                    + " of " + p.dtype() + p.shapeText() + ", got " + Tensor.describe(inputs[k]));
            if (len % per[k] != 0 || n >= 0 && len / per[k] != n)
                throw new IllegalArgumentException("input " + p.name() + ": " + len + " values are not " + (n >= 0 ? n + " samples of " : "whole samples of ")
                        + per[k] + " (" + p.dtype() + p.shapeText() + ")" + (n >= 0 ? ", as the first input holds" : ""));
            n = len / per[k];
        }
        if (n == 0) throw new IllegalArgumentException("no samples to fit");
        double[] means = new double[epochs];
        int[] order = new int[n];
        Object[] batch = new Object[callers.length];
        for (int e = 0; e < epochs; e++) {
            for (int i = 0; i < n; i++) order[i] = i;
            long shuffle = Rng.fold(Rng.fold(seed, 0), e + 1L);
            for (int i = n - 1; i > 0; i--) {
                int j = (int) Long.remainderUnsigned(Rng.mix(shuffle, i), i + 1L);
                int t = order[i]; order[i] = order[j]; order[j] = t;
            }
            double sum = 0;
            for (int start = 0; start < n; start += batchSize) {
                int m = Math.min(batchSize, n - start);
                for (int k = 0; k < callers.length; k++) {
                    boolean f32 = inputs[k] instanceof float[];
                    Object dst = batch[k] != null && java.lang.reflect.Array.getLength(batch[k]) == m * per[k] ? batch[k] : f32 ? new float[m * per[k]] : new double[m * per[k]];
                    for (int r = 0; r < m; r++) System.arraycopy(inputs[k], order[start + r] * per[k], dst, r * per[k], per[k]);
                    batch[k] = dst;
                }
                sum += step(batch, new long[]{m}) * m;
            }
            means[e] = sum / n;
            shared.epochs++;
        }
        return means;
    }

    /**
     * Writes the weights and the training state (optimizer state, step counter) as a safetensors
     * checkpoint like those {@code dlc train} writes: {@code dlc run/eval/compile --weights} read it,
     * and {@code dlc train --resume} resumes from it. Written through a temporary file, so a failed
     * write leaves no partial file.
     */
    public final void saveWeights(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dlc.model", shared.model);
        meta.put("dlc.seed", Long.toString(shared.seed));
        meta.put("dlc.step", Long.toString(shared.steps));
        meta.put("dlc.epoch", Integer.toString(shared.epochs));
        meta.put("dlc.batch", "0");
        meta.put("dlc.rng", Long.toString(shared.steps));
        meta.put("dlc.best_loss", "Infinity");
        meta.put("dlc.best_epoch", "0");
        meta.put("dlc.bad_epochs", "0");
        SafeTensorsFile.write(file, shared.state, meta);
    }

    /**
     * Reads weights from a safetensors checkpoint ({@code dlc train}'s, or {@link #saveWeights}'s):
     * every parameter must be there with its dtype and shape; optimizer state and the step counter
     * are taken when present (else they keep their values), as are the seed and step count of the
     * run that wrote the file. Nothing changes when the file does not fit: the IOException lists
     * every difference.
     */
    public final void loadWeights(Path file) throws IOException {
        SafeTensorsFile.Contents c = SafeTensorsFile.read(file);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : shared.state.entrySet()) {
            Tensor got = c.tensors().get(e.getKey()), want = e.getValue();
            if (got == null) {
                if (shared.roles.get(e.getKey()).equals("PARAM")) problems.add("missing parameter " + e.getKey() + ": " + want);
            } else if (!got.dtype().equals(want.dtype()) || !java.util.Arrays.equals(got.shape(), want.shape())) {
                problems.add(e.getKey() + " is " + got + ", expected " + want);
            }
        }
        for (String name : c.tensors().keySet())
            if (!shared.state.containsKey(name) && !name.startsWith("best."))
                problems.add("unexpected tensor " + name + ": " + c.tensors().get(name) + " is not part of the model's training state");
        if (!problems.isEmpty())
            throw new IOException(file + " does not fit model " + shared.model + " (" + problems.size() + " difference" + (problems.size() == 1 ? "" : "s")
                    + "):\n  " + String.join("\n  ", problems));
        long seed, steps;
        int epochs;
        try {
            seed = Long.parseLong(c.metadata().getOrDefault("dlc.seed", Long.toString(shared.seed)));
            steps = Long.parseLong(c.metadata().getOrDefault("dlc.step", Long.toString(shared.steps)));
            epochs = Integer.parseInt(c.metadata().getOrDefault("dlc.epoch", Integer.toString(shared.epochs)));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": bad dlc metadata: " + e.getMessage());
        }
        for (Map.Entry<String, Tensor> e : shared.state.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            if (got != null) System.arraycopy(got.data(), 0, e.getValue().data(), 0, got.numel());
        }
        weightsChanged();
        shared.seed = seed;
        shared.steps = steps;
        shared.epochs = epochs;
    }
}
