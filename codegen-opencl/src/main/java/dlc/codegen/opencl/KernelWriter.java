package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * The source of one generated kernel and the arguments its launch passes. A kernel reads and
 * writes the one arena through {@code __global float* F} (f32 values) and {@code __global double* D}
 * (every other dtype, only when the kernel uses one), each buffer at an element offset argument
 * ({@code long oK}); the sizes of symbolic dims are {@code int dK} arguments, so the source does
 * not depend on the binding and the graph's program is built once. Work-item {@code get_global_id(0)}
 * is one point of the kernel's index space, of {@link #launch}'s size.
 */
final class KernelWriter {
    final String name;
    private final String what;
    private final List<Dim> dims = new ArrayList<>();
    private final List<Value> buffers = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private boolean doubles;

    KernelWriter(String name, String what) {
        this.name = name;
        this.what = what;
    }

    /** {@code d} in the kernel: a literal when constant, else a size argument. */
    String dim(Dim d) {
        if (d.isConst()) return Long.toString(d.value());
        for (int i = 0; i < dims.size(); i++) if (dims.get(i).equals(d)) return "d" + i;
        dims.add(d);
        return "d" + (dims.size() - 1);
    }

    /** The product of {@code ds} as an expression ({@code 1} for none). */
    String product(List<Dim> ds) {
        List<String> parts = new ArrayList<>();
        for (Dim d : ds) if (!(d.isConst() && d.value() == 1)) parts.add(dim(d));
        return parts.isEmpty() ? "1" : parts.size() == 1 ? parts.get(0) : "(" + String.join(" * ", parts) + ")";
    }

    /** Element {@code index} of the buffer that holds {@code home}, as an lvalue. */
    String at(Value home, String index) {
        int k = -1;
        for (int i = 0; i < buffers.size(); i++) if (buffers.get(i) == home) k = i;
        if (k < 0) {
            buffers.add(home);
            k = buffers.size() - 1;
        }
        boolean f = ClTypes.isFloat(home);
        if (!f) doubles = true;
        return (f ? "F" : "D") + "[o" + k + " + (" + index + ")]";
    }

    /** Notes that the kernel computes in double (an f64 or integer register) without touching a double buffer. */
    void usesDouble() { doubles = true; }

    private int depth = 1;

    void line(String code) { body.append("    ".repeat(depth)).append(code).append('\n'); }

    /** Lines after this are nested {@code delta} levels deeper (a loop body). */
    void indent(int delta) { depth += delta; }

    boolean doubles() { return doubles; }

    String source() {
        StringBuilder s = new StringBuilder();
        s.append("// ").append(what).append('\n');
        s.append("__kernel void ").append(name).append("(__global float* F");
        if (doubles) s.append(", __global double* D");
        for (int i = 0; i < dims.size(); i++) s.append(", int d").append(i);
        for (int i = 0; i < buffers.size(); i++) s.append(", long o").append(i);
        s.append(") {\n").append(body).append("}\n");
        return s.toString();
    }

    /** The step that launches this kernel over {@code size} work-items. */
    ClStep launch(Dim size) {
        List<Dim> ds = List.copyOf(dims);
        List<Value> bs = List.copyOf(buffers);
        boolean dbl = doubles;
        String n = name;
        return b -> {
            long count = b.eval(size);
            if (count == 0) return () -> { };
            ClKernel k = b.kernel(n);
            int[] dimValues = new int[ds.size()];
            for (int i = 0; i < ds.size(); i++) dimValues[i] = Math.toIntExact(b.eval(ds.get(i)));
            long[] offsets = new long[bs.size()];
            for (int i = 0; i < bs.size(); i++) offsets[i] = b.offset(bs.get(i));
            return () -> {
                int a = 0;
                k.arg(a++, b.arena());
                if (dbl) k.arg(a++, b.arena());
                for (int v : dimValues) k.arg(a++, v);
                for (long o : offsets) k.arg(a++, o);
                b.executor().launch(k, new long[]{count}, null);
            };
        };
    }
}
