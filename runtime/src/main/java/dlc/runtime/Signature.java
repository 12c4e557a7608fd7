package dlc.runtime;

import java.util.*;

/**
 * What a compiled graph takes and returns: its shape symbols, and its inputs and outputs with
 * dtype, shape (dim text, possibly symbolic) and role. Generated classes carry it as text (one line
 * per entry, fields separated by '|', dims by ','):
 * <pre>
 * sym|B
 * in|x|f32|B,784|INPUT
 * in|dense.w|f32|784,256|PARAM
 * out|probs|f32|B,10|OUTPUT
 * </pre>
 * Input roles are the IR's (INPUT, PARAM, STATE); a PARAM compiled narrow has dtype bf16 or int8; output roles are OUTPUT, LOSS, UPDATE (then a
 * sixth field names the input it updates) or GRAD.
 */
public final class Signature {
    /** One input or output. */
    public record Port(String name, String dtype, String[] dims, String role, String updates) {
        /** The concrete shape under a binding. */
        public int[] shape(Signature sig, long[] symbols) {
            int[] s = new int[dims.length];
            for (int i = 0; i < s.length; i++) s[i] = Dims.evalInt(dims[i], sig.symbolNames, symbols);
            return s;
        }

        public int numel(Signature sig, long[] symbols) { return Tensor.numel(shape(sig, symbols)); }

        /** The shape as text, e.g. {@code [B, 784]}. */
        public String shapeText() { return "[" + String.join(", ", dims) + "]"; }

        boolean f32() { return dtype.equals("f32"); }

        /** Whether this is a weight input compiled narrow (dtype bf16 or int8, a {@link NarrowMatrix}). */
        public boolean narrow() { return NarrowMatrix.isFormat(dtype); }

        void checkArray(Object a, Signature sig, long[] symbols) {
            int n = numel(sig, symbols);
            boolean ok = narrow() ? a instanceof NarrowMatrix q && q.numel() == n && q.format().equals(dtype)
                    : f32() ? a instanceof float[] f && f.length == n : a instanceof double[] x && x.length == n;
            if (!ok)
                throw new IllegalArgumentException("input " + name + ": expected " + dtype + shapeText() + " = "
                        + (narrow() ? "a " + dtype + " NarrowMatrix of " : f32() ? "float[" : "double[") + n + (narrow() ? " elements" : "]")
                        + " under " + sig.describe(symbols) + ", got " + Tensor.describe(a));
        }
    }

    private final String[] symbolNames;
    private final List<Port> inputs, outputs;

    private Signature(String[] symbolNames, List<Port> inputs, List<Port> outputs) {
        this.symbolNames = symbolNames;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    public static Signature parse(String text) {
        List<String> syms = new ArrayList<>();
        List<Port> in = new ArrayList<>(), out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split("\\|", -1);
            switch (f[0]) {
                case "sym" -> syms.add(f[1]);
                case "in", "out" -> {
                    String[] dims = f[3].isEmpty() ? new String[0] : f[3].split(",");
                    Port p = new Port(f[1], f[2], dims, f[4], f.length > 5 ? f[5] : null);
                    (f[0].equals("in") ? in : out).add(p);
                }
                default -> throw new IllegalArgumentException("malformed signature line: " + line);
            }
        }
        return new Signature(syms.toArray(new String[0]), in, out);
    }

    /** The text {@link #parse} reads. */
    public static String format(List<String> symbols, List<Port> inputs, List<Port> outputs) {
        StringBuilder sb = new StringBuilder();
        for (String s : symbols) sb.append("sym|").append(s).append('\n');
        for (Port p : inputs) line(sb, "in", p);
        for (Port p : outputs) line(sb, "out", p);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String kind, Port p) {
        sb.append(kind).append('|').append(p.name).append('|').append(p.dtype).append('|')
                .append(String.join(",", p.dims)).append('|').append(p.role);
        if (p.updates != null) sb.append('|').append(p.updates);
        sb.append('\n');
    }

    public List<String> symbols() { return List.of(symbolNames); }

    public List<Port> inputs() { return inputs; }

    public List<Port> outputs() { return outputs; }

    public List<String> inputNames() { return inputs.stream().map(Port::name).toList(); }

    public int inputIndex(String name) {
        for (int i = 0; i < inputs.size(); i++) if (inputs.get(i).name().equals(name)) return i;
        return -1;
    }

    public int outputIndex(String name) {
        for (int i = 0; i < outputs.size(); i++) if (outputs.get(i).name().equals(name)) return i;
        return -1;
    }

    /**
     * Solves the shape symbols from named input tensors (a dim that is a lone symbol binds it) and
     * checks every input's dtype and shape against the binding.
     *
     * @throws IllegalArgumentException naming the input and its expected shape
     */
    public long[] bindSymbols(Map<String, Tensor> given) {
        long[] values = new long[symbolNames.length];
        boolean[] set = new boolean[symbolNames.length];
        for (Port p : inputs) {
            Tensor t = given.get(p.name);
            if (t == null) throw new IllegalArgumentException("missing input " + p.name + ": expected " + p.dtype + p.shapeText() + "; inputs are " + inputNames());
            if (t.shape().length != p.dims.length)
                throw new IllegalArgumentException("input " + p.name + ": expected " + p.dtype + p.shapeText() + ", got " + t);
            for (int i = 0; i < p.dims.length; i++) {
                int k = Arrays.asList(symbolNames).indexOf(p.dims[i].trim());
                if (k >= 0 && !set[k]) { values[k] = t.shape()[i]; set[k] = true; }
            }
        }
        for (int k = 0; k < set.length; k++)
            if (!set[k]) throw new IllegalArgumentException("no input shape binds dimension " + symbolNames[k]);
        for (Port p : inputs) {
            Tensor t = given.get(p.name);
            if (!t.dtype().equals(p.dtype) || !Arrays.equals(t.shape(), p.shape(this, values)))
                throw new IllegalArgumentException("input " + p.name + ": expected " + p.dtype + p.shapeText() + " = " + p.dtype
                        + Arrays.toString(p.shape(this, values)) + " under " + describe(values) + ", got " + t);
        }
        return values;
    }

    /** e.g. {@code B=128, T=50}. */
    public String describe(long[] values) {
        if (symbolNames.length == 0) return "no symbols";
        StringJoiner j = new StringJoiner(", ");
        for (int k = 0; k < symbolNames.length; k++) j.add(symbolNames[k] + "=" + values[k]);
        return j.toString();
    }
}
