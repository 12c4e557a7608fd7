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
    /** Whether this is a GEMM's or convolution's store (an epilogue function), not a kernel. */
    private boolean store;
    /** The integer ops of this kernel that can fail (a zero divisor, a negative exponent), by their error code. */
    private final List<dlc.ir.Node> failing = new ArrayList<>();

    KernelWriter(String name, String what) {
        this.name = name;
        this.what = what;
    }

    /**
     * Makes this writer a store function for a tiled kernel's EPILOGUE hook (sgemm.cl, conv.cl)
     * instead of a kernel: {@link #storeFunction} takes the result {@code acc}, {@code e} (its linear
     * index in the product's dense result, as {@code int i}) and {@code c} (one coordinate the
     * kernel knows without division), then the arena, sizes and offsets as a kernel would.
     */
    void asStore() {
        store = true;
        line("const int i = (int) e;");
    }

    boolean isStore() { return store; }

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

    /**
     * {@code expr} with its {@link ClExpressions#ERROR_SITE} (if any) replaced by this kernel's
     * error word and {@code n}'s code: the kernel then takes {@code __global int* E, long oE} after
     * its offsets, and its launch gets two ints of scratch (see {@link IntegerErrors}).
     */
    String errorSites(dlc.ir.Node n, String expr) {
        if (!expr.contains(ClExpressions.ERROR_SITE)) return expr;
        if (store) throw new UnsupportedOperationException("op " + n.op().name() + " (at " + n.loc()
                + ") on integer operands inside a GEMM's or convolution's store is not supported by the OpenCL backend yet");
        int code = failing.indexOf(n);
        if (code < 0) {
            failing.add(n);
            code = failing.size() - 1;
        }
        return expr.replace(ClExpressions.ERROR_SITE, "E + oE, " + code);
    }

    /** Notes that the kernel computes in double (an f64 or integer register) without touching a double buffer. */
    void usesDouble() { doubles = true; }

    private int depth = 1;

    void line(String code) { body.append("    ".repeat(depth)).append(code).append('\n'); }

    /** Lines after this are nested {@code delta} levels deeper (a loop body). */
    void indent(int delta) { depth += delta; }

    boolean doubles() { return doubles; }

    String source() {
        return store ? "// " + what + "\n" + storeFunction(name + "_store") : kernelSource();
    }

    /** The store function named {@code fn}: {@code void fn(F[, D], e, c, acc, dK..., oK...)}. */
    String storeFunction(String fn) {
        StringBuilder s = new StringBuilder();
        s.append("inline void ").append(fn).append("(__global float* F");
        if (doubles) s.append(", __global double* D");
        s.append(", const size_t e, const int c, const float acc");
        for (int i = 0; i < dims.size(); i++) s.append(", const int d").append(i);
        for (int i = 0; i < buffers.size(); i++) s.append(", const long o").append(i);
        s.append(") {\n").append(body).append("}\n");
        return s.toString();
    }

    /**
     * What a tiled kernel file needs before it to call the store: HELPERS, the function (named
     * {@code dlc_store}, so equal epilogues of different groups are one cached program) and the
     * EPILOGUE and EPILOGUE_PARAMS macros; the extra arguments are set by {@link #storeArgs}.
     */
    String storePrefix() {
        StringBuilder params = new StringBuilder(", __global float* epi_F"), call = new StringBuilder("dlc_store(epi_F");
        if (doubles) {
            params.append(", __global double* epi_D");
            call.append(", epi_D");
        }
        call.append(", (e), (c), (acc)");
        for (int i = 0; i < dims.size(); i++) {
            params.append(", const int epi_d").append(i);
            call.append(", epi_d").append(i);
        }
        for (int i = 0; i < buffers.size(); i++) {
            params.append(", const long epi_o").append(i);
            call.append(", epi_o").append(i);
        }
        return GroupKernels.HELPERS + storeFunction("dlc_store") + "#define EPILOGUE_PARAMS " + params + "\n"
                + "#define EPILOGUE(e, c, acc) " + call + ")\n";
    }

    /** The store's extra kernel arguments under one binding: set from argument {@code first} on. */
    StoreArgs storeArgs(ClBinding b) {
        int[] dimValues = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) dimValues[i] = Math.toIntExact(b.eval(dims.get(i)));
        long[] offsets = new long[buffers.size()];
        for (int i = 0; i < buffers.size(); i++) offsets[i] = b.offset(buffers.get(i));
        return new StoreArgs(storePrefix(), doubles, dimValues, offsets);
    }

    /** A generated store as a tiled launcher takes it: the source prefix and the arguments after the kernel's own. */
    record StoreArgs(String prefix, boolean doubles, int[] dims, long[] offsets) {
        void set(ClKernel k, int first, DeviceArena arena) {
            int a = first;
            k.arg(a++, arena);
            if (doubles) k.arg(a++, arena);
            for (int v : dims) k.arg(a++, v);
            for (long o : offsets) k.arg(a++, o);
        }

        /** The program of {@code file} with this store: the prefix before the file's text. */
        ProgramSource program(String file, java.util.Map<String, String> defines) {
            ProgramSource base = ProgramSource.resource(file, defines);
            java.util.Map<String, String> d = new java.util.HashMap<>(defines);
            if (doubles) d.put("FP64", "1");
            return new ProgramSource(file + "+epilogue", prefix + "\n" + base.source(), d);
        }
    }

    private String kernelSource() {
        StringBuilder s = new StringBuilder();
        s.append("// ").append(what).append('\n');
        s.append("__kernel void ").append(name).append("(__global float* F");
        if (doubles) s.append(", __global double* D");
        for (int i = 0; i < dims.size(); i++) s.append(", int d").append(i);
        for (int i = 0; i < buffers.size(); i++) s.append(", long o").append(i);
        if (!failing.isEmpty()) s.append(", __global int* E, long oE");
        s.append(") {\n").append(body).append("}\n");
        return s.toString();
    }

    /**
     * The step that launches this kernel as {@code groups} work-groups of L work-items each (a
     * reduction's tree): L is 1 where the binding's {@code reduced} size is below {@code serialBelow},
     * else the largest power of two up to {@code maxGroup} that the device runs this kernel with.
     */
    ClStep launchGroups(Dim groups, Dim reduced, int serialBelow, int maxGroup) {
        return IntegerErrors.checked(failing, b -> {
            long count = b.eval(groups);
            if (count == 0) return () -> { };
            ClKernel k = b.kernel(name);
            long l = 1;
            if (b.eval(reduced) >= serialBelow) {
                long limit = Math.min(maxGroup, Math.min(TiledPrograms.workGroupSize(b.executor(), k), b.executor().device().maxWorkGroupSize()));
                while (l * 2 <= limit) l *= 2;
            }
            long size = l;
            Runnable set = arguments(b, k);
            return () -> {
                set.run();
                b.executor().launch(k, new long[]{count * size}, new long[]{size});
            };
        });
    }

    /** The step that launches this kernel over {@code size} work-items. */
    ClStep launch(Dim size) {
        return IntegerErrors.checked(failing, b -> {
            long count = b.eval(size);
            if (count == 0) return () -> { };
            ClKernel k = b.kernel(name);
            Runnable set = arguments(b, k);
            return () -> {
                set.run();
                b.executor().launch(k, new long[]{count}, null);
            };
        });
    }

    /** Sets the kernel's arguments under binding {@code b}: the arena, then sizes, then offsets. */
    private Runnable arguments(ClBinding b, ClKernel k) {
        int[] dimValues = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) dimValues[i] = Math.toIntExact(b.eval(dims.get(i)));
        long[] offsets = new long[buffers.size()];
        for (int i = 0; i < buffers.size(); i++) offsets[i] = b.offset(buffers.get(i));
        boolean dbl = doubles, errors = !failing.isEmpty();
        long errOff = errors ? b.scratchBytesOffset() / Integer.BYTES : -1;
        return () -> {
            int a = 0;
            k.arg(a++, b.arena());
            if (dbl) k.arg(a++, b.arena());
            for (int v : dimValues) k.arg(a++, v);
            for (long o : offsets) k.arg(a++, o);
            if (errors) k.arg(a++, b.arena()).arg(a++, errOff);
        };
    }
}
