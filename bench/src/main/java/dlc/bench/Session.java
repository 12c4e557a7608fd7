package dlc.bench;

import java.util.List;
import java.util.Map;

/**
 * Runs one graph repeatedly the way a training loop does: the input array of every port is fixed
 * once (data, params, optimizer state from a shared store), and after each run every UPDATE output
 * is written back into the array of the input it replaces. When the compiled graph donates that
 * input (the UPDATE output is the input array itself, updated in place) nothing is copied.
 */
final class Session {
    final Executor exec;
    private final Object[] in;
    private final long[] symbols;
    /** Per output: index of the input an UPDATE replaces, else -1. */
    private final int[] updates;
    private final int lossIndex;
    private int copies;

    /**
     * @param store   arrays by input name (params, optimizer state, step counter, data); updated
     *                in place by {@link #run()}
     * @param symbols shape symbol values by name (B, T)
     */
    Session(Executor exec, Map<String, Object> store, Map<String, Long> symbols) {
        this.exec = exec;
        List<Executor.In> ins = exec.inputs();
        in = new Object[ins.size()];
        for (int i = 0; i < in.length; i++) {
            Object a = store.get(ins.get(i).name());
            if (a == null) throw new IllegalArgumentException("no array for input " + ins.get(i) + "; have " + store.keySet());
            in[i] = a;
        }
        this.symbols = new long[exec.symbols().size()];
        for (int i = 0; i < this.symbols.length; i++) {
            Long v = symbols.get(exec.symbols().get(i));
            if (v == null) throw new IllegalArgumentException("no value for shape symbol " + exec.symbols().get(i));
            this.symbols[i] = v;
        }
        List<Executor.Out> outs = exec.outputs();
        updates = new int[outs.size()];
        int loss = -1;
        for (int k = 0; k < updates.length; k++) {
            Executor.Out o = outs.get(k);
            updates[k] = -1;
            if (o.role().equals("UPDATE")) {
                updates[k] = indexOf(ins, o.updates());
                if (updates[k] < 0) throw new IllegalStateException("UPDATE " + o.name() + " replaces unknown input " + o.updates());
            }
            if (o.role().equals("LOSS")) loss = k;
        }
        lossIndex = loss;
    }

    private static int indexOf(List<Executor.In> ins, String name) {
        for (int i = 0; i < ins.size(); i++) if (ins.get(i).name().equals(name)) return i;
        return -1;
    }

    /** One run; writes UPDATE outputs back into their input arrays (no-op when donated). */
    Object[] run() {
        Object[] out = exec.run(in, symbols);
        for (int k = 0; k < updates.length; k++) {
            int i = updates[k];
            if (i < 0 || out[k] == in[i]) continue;
            copies++;
            if (in[i] instanceof float[] f) System.arraycopy((float[]) out[k], 0, f, 0, f.length);
            else System.arraycopy((double[]) out[k], 0, (double[]) in[i], 0, ((double[]) in[i]).length);
        }
        return out;
    }

    /** Brings the store's arrays up to date where the executor keeps updates on a device (OpenCL). */
    void sync() { exec.sync(in); }

    /** The LOSS output of the last run's outputs. */
    double loss(Object[] out) {
        if (lossIndex < 0) throw new IllegalStateException("graph has no LOSS output");
        Object a = out[lossIndex];
        return a instanceof float[] f ? f[0] : ((double[]) a)[0];
    }

    /** The first OUTPUT output of a run (the logits). */
    Object output(Object[] out) {
        List<Executor.Out> outs = exec.outputs();
        for (int k = 0; k < outs.size(); k++) if (outs.get(k).role().equals("OUTPUT")) return out[k];
        throw new IllegalStateException("graph has no OUTPUT output");
    }

    /** UPDATE outputs that came back in arrays of their own, so far (0 when every update is donated). */
    int copies() { return copies; }

    int updateCount() {
        int n = 0;
        for (int u : updates) if (u >= 0) n++;
        return n;
    }
}
