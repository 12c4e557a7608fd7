package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors kept on the device between runs of an executor's graphs: a model's parameters,
 * optimizer and model state while it trains. A graph run with them
 * ({@link ClCompiledGraph#run(Map, ResidentValues, Set, boolean)}) reads each input it is not
 * handed from here, and its UPDATE outputs become the new values, written in place where the
 * memory plan donates the input's memory to its update, else copied there on the device. The
 * host sees a value only when it asks ({@link #get}).
 *
 * <p>Where a value lives: the input range of the graph binding that last wrote or read it (each
 * binding has its own arena). A binding that holds the current version reads it where it is, so
 * a step graph run batch after batch moves nothing but its batch inputs; another binding (the
 * eval graph, the last short batch of an epoch) gets a device-to-device copy, once per version. A
 * value put from the host is uploaded by the first run that reads it. Versions count the writes,
 * so a copy a binding holds is known to be current or not without looking at the device.
 *
 * <p>One store per executor (its queue orders every copy and kernel); not thread-safe.
 */
public final class ResidentValues implements AutoCloseable {
    private final ClExecutor executor;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean closed;

    /** One value: its type, its version (bumped by every write) and where the current version is. */
    static final class Entry {
        final String name;
        final DType dtype;
        final int[] shape;
        final ResidentValues owner;
        long version;
        /** A binding whose input range {@link #input} holds the current version, or null. */
        ClBinding binding;
        int input;
        /** The current version on the host, or null when only the device has it. */
        Tensor host;

        Entry(ResidentValues owner, String name, Tensor t) {
            this.owner = owner;
            this.name = name;
            this.dtype = t.dtype();
            this.shape = t.shape();
            this.host = t;
        }

        long bytes() { return Tensor.numel(shape) * ClTypes.bytes(dtype); }

        boolean liveAt(ClBinding b, int i) { return !owner.closed && binding == b && input == i; }

        /** Reads the current version back to the host (a blocking read) unless the host has it. */
        Tensor toHost() {
            if (host == null) host = binding.read(input, dtype, shape);
            return host;
        }
    }

    /** An empty store for the graphs of {@code executor}. */
    public ResidentValues(ClExecutor executor) { this.executor = executor; }

    ClExecutor executor() { return executor; }

    /** Sets (or adds) {@code name}: the host has the value now; the first run that reads it uploads it. */
    public void put(String name, Tensor value) {
        open();
        Entry old = entries.get(name);
        if (old != null && old.dtype == value.dtype() && java.util.Arrays.equals(old.shape, value.shape())) {
            old.version++;
            old.binding = null;
            old.host = value;
        } else {
            if (old != null) old.binding = null; // its device copies are stale now
            entries.put(name, new Entry(this, name, value));
        }
    }

    /** Sets every value of {@code values}. */
    public void putAll(Map<String, Tensor> values) { values.forEach(this::put); }

    public boolean contains(String name) { return entries.containsKey(name); }

    public Set<String> names() { return Collections.unmodifiableSet(entries.keySet()); }

    /** The current value of {@code name}, read back from the device (waiting for it) when the host's copy is older. */
    public Tensor get(String name) {
        open();
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no resident value '" + name + "'; there are " + entries.keySet());
        return e.toHost();
    }

    /** Every value by name, in the order they were first put, read back as {@link #get} does. */
    public Map<String, Tensor> getAll() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : entries.keySet()) out.put(n, get(n));
        return out;
    }

    Entry entry(String name) {
        open();
        return entries.get(name);
    }

    /** Forgets every value: the device ranges that held them may be overwritten, nothing is read back. */
    @Override public void close() {
        closed = true;
        entries.clear();
    }

    private void open() {
        if (closed) throw new IllegalStateException("the resident values were closed");
    }
}
