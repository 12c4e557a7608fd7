package dlc.checkpoint;

import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a checkpoint holds: named tensors (parameters, optimizer state) in order, and string
 * metadata (training step, epoch, RNG position, model name, ...; see the {@code *_KEY} constants).
 * Immutable. Stored as safetensors by {@link SafeTensors}.
 */
public final class Checkpoint {
    /** Metadata key of the optimizer step count. */
    public static final String STEP_KEY = "dlc.step";
    /** Metadata key of the epoch. */
    public static final String EPOCH_KEY = "dlc.epoch";
    /** Metadata key of the random generator's position (dlc.data.Rng#state). */
    public static final String RNG_KEY = "dlc.rng";
    /** Metadata key of the model name. */
    public static final String MODEL_KEY = "dlc.model";
    /** Metadata key of the SHA-256 of the data section, written and checked by {@link SafeTensors}. */
    public static final String SHA256_KEY = "dlc.sha256";

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    /** A checkpoint of these tensors (iteration order kept) and metadata. */
    public Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) {
        for (String name : tensors.keySet())
            if (name == null || name.isEmpty() || name.equals(SafeTensors.METADATA))
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        for (Map.Entry<String, String> e : metadata.entrySet())
            if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** This checkpoint with metadata {@code key} set to {@code value} (e.g. {@code with(STEP_KEY, "100")}). */
    public Checkpoint with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return new Checkpoint(tensors, m);
    }

    /** Tensors by name, in order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** Metadata entries, in order. */
    public Map<String, String> metadata() { return metadata; }

    /** The tensor called {@code name}; an error naming the stored tensors when absent. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'; it has " + tensors.keySet());
        return t;
    }

    /** The metadata value for {@code key}, or null. */
    public String meta(String key) { return metadata.get(key); }

    /** The metadata value for {@code key} as a long; an error when absent or not an integer. */
    public long metaLong(String key) {
        String v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException("checkpoint has no metadata '" + key + "'");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint metadata '" + key + "' = '" + v + "' is not an integer");
        }
    }

    /**
     * Every difference from {@code expected}, one line each: missing tensors, tensors of the wrong
     * dtype or shape (in {@code expected} order), then unexpected tensors (in stored order). Empty when
     * the checkpoint holds exactly the expected tensors.
     */
    public List<String> mismatches(Collection<TensorSpec> expected) {
        List<String> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (TensorSpec s : expected) {
            names.add(s.name());
            Tensor t = tensors.get(s.name());
            if (t == null) {
                out.add("missing tensor '" + s.name() + "' (expected " + s.dtype() + Arrays.toString(s.shape()) + ")");
                continue;
            }
            if (t.dtype() != s.dtype()) out.add("tensor '" + s.name() + "' has dtype " + t.dtype() + ", expected " + s.dtype());
            if (!Arrays.equals(t.shape(), s.shape()))
                out.add("tensor '" + s.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(s.shape()));
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet())
            if (!names.contains(e.getKey()))
                out.add("unexpected tensor '" + e.getKey() + "' (" + e.getValue().dtype() + Arrays.toString(e.getValue().shape()) + ")");
        return out;
    }

    /** Throws a {@link CheckpointException} listing every mismatch when {@link #mismatches} is not empty. */
    public void requireMatches(Collection<TensorSpec> expected, String source) throws CheckpointException {
        List<String> m = mismatches(expected);
        if (!m.isEmpty())
            throw new CheckpointException(source + " does not match the model (" + m.size() + " problem" + (m.size() == 1 ? "" : "s") + "):\n  "
                    + String.join("\n  ", m));
    }

    @Override public boolean equals(Object o) {
        return o instanceof Checkpoint c && tensors.equals(c.tensors) && metadata.equals(c.metadata)
                && new ArrayList<>(tensors.keySet()).equals(new ArrayList<>(c.tensors.keySet()));
    }

    @Override public int hashCode() { return tensors.hashCode() * 31 + metadata.hashCode(); }

    @Override public String toString() { return "Checkpoint" + tensors.keySet() + metadata; }
}
