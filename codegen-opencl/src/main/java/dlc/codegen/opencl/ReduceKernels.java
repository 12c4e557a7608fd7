package dlc.codegen.opencl;

import dlc.ir.DType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs reduce.cl: sum, mean, max and min over any axes of a dense row-major float32 tensor, and
 * argmax/argmin along one axis, as work-group reductions (one group per output element),
 * enqueued without waiting. The axes are merged first as the JVM backend does: dims of 1
 * dropped, adjacent axes of one kind folded into one, so the kernel walks at most 4 kept and 4
 * reduced axes; a shape that still alternates more often is refused with a message.
 */
public final class ReduceKernels {
    /** The reductions, numbered as reduce.cl's FN. */
    public enum Fn { SUM, MEAN, MAX, MIN }

    /** Axes the kernel walks: at most this many kept and this many reduced after merging. */
    static final int MAX_AXES = 4;
    private static final int MAX_GROUP = 256;

    private final ClExecutor executor;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    public ReduceKernels(ClExecutor executor) { this.executor = executor; }

    /** The operand's axes after merging: kept and reduced (dims and element strides), outputs and inputs per output. */
    record Merged(int[] keptDims, int[] keptStrides, int[] redDims, int[] redStrides, int outputs, int count) {}

    /** Merges the axes of a contiguous tensor of {@code shape}, {@code reduced[a]} marking the reduced ones. */
    static Merged merge(int[] shape, boolean[] reduced) {
        if (shape.length != reduced.length) throw new IllegalArgumentException("reduce: " + shape.length + " dims but " + reduced.length + " axis flags");
        List<int[]> kept = new ArrayList<>(), red = new ArrayList<>(); // {dim, stride}, outermost first
        int stride = 1, outputs = 1, count = 1;
        Boolean innerKind = null; // the kind of the axis merged last (the next inner one), null at the start
        for (int a = shape.length - 1; a >= 0; a--) {
            int d = shape[a];
            if (d < 0) throw new IllegalArgumentException("reduce: negative dimension in " + java.util.Arrays.toString(shape));
            if (reduced[a]) count = Math.multiplyExact(count, d);
            else outputs = Math.multiplyExact(outputs, d);
            if (d != 1) {
                List<int[]> list = reduced[a] ? red : kept;
                if (innerKind != null && innerKind == reduced[a]) list.get(0)[0] *= d; // contiguous: the dims multiply
                else list.add(0, new int[]{d, stride});
                innerKind = reduced[a];
            }
            stride = Math.multiplyExact(stride, d);
        }
        if (kept.size() > MAX_AXES || red.size() > MAX_AXES)
            throw new IllegalArgumentException("reduce over " + java.util.Arrays.toString(shape) + " alternates kept and reduced axes "
                    + "more than " + MAX_AXES + " times each after merging; the OpenCL kernel walks at most " + MAX_AXES + " of each");
        return new Merged(dims(kept, 0), dims(kept, 1), dims(red, 0), dims(red, 1), outputs, count);
    }

    private static int[] dims(List<int[]> axes, int field) {
        int[] out = new int[MAX_AXES];
        for (int i = 0; i < axes.size(); i++) out[i] = axes.get(i)[field];
        return java.util.Arrays.copyOf(out, axes.size());
    }

    /**
     * y = fn over the axes where {@code reduced} is set of x (dense, {@code shape}); y is dense
     * over the kept axes in order (keepdims only changes its shape, not its layout).
     */
    public void reduce(Fn fn, DeviceArena arena, long xOff, int[] shape, boolean[] reduced, long yOff) {
        String op = fn.name().toLowerCase(java.util.Locale.ROOT);
        Merged m = merge(shape, reduced);
        ArenaChecks.inside(op, "input", xOff, ArenaChecks.elements(op, "input", shape), Float.BYTES, arena);
        ArenaChecks.inside(op, "output", yOff, m.outputs(), Float.BYTES, arena);
        if (m.outputs() == 0) return;
        int nk = m.keptDims().length, nr = m.redDims().length;
        ClKernel k = kernel("reduce", m.count(), Map.of("FN", "" + fn.ordinal()));
        k.arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, yOff).arg(4, m.count()).arg(5, nk).arg(6, nr);
        for (int i = 0; i < MAX_AXES; i++) {
            k.arg(7 + i, i < nk ? m.keptDims()[i] : 1).arg(11 + i, i < nk ? m.keptStrides()[i] : 0)
                    .arg(15 + i, i < nr ? m.redDims()[i] : 1).arg(19 + i, i < nr ? m.redStrides()[i] : 0);
        }
        k.arg(23, m.outputs());
        launch(k, m.outputs());
    }

    /**
     * argmax ({@code max}) or argmin along the middle axis of an (outer, n, inner) view of x:
     * y[o, i] = the first k with the extreme x[o, k, i] (or the first NaN), stored as {@code type}.
     * {@code yOff} counts elements of {@code type} from the arena's start. An axis of size 0 has no
     * such index and is refused, as on the JVM.
     */
    public void argReduce(boolean max, DeviceArena arena, long xOff, int outer, int n, int inner, long yOff, IndexType type) {
        argReduce(max, DType.F32, arena, xOff, outer, n, inner, yOff, type);
    }

    /** As above on an operand of {@code dtype}: f32 read as float, f64 and integers as double (offsets in doubles). */
    public void argReduce(boolean max, DType dtype, DeviceArena arena, long xOff, int outer, int n, int inner, long yOff, IndexType type) {
        String op = max ? "argmax" : "argmin";
        if (dtype == DType.BOOL) throw new IllegalArgumentException(op + ": no kernel for " + dtype + " operands");
        boolean f64 = dtype != DType.F32;
        if (f64 && !executor.device().fp64())
            throw new OpenClException(op + " on " + dtype + " runs in double, but " + executor.device().describe()
                    + " has no double precision (cl_khr_fp64)");
        int cells = ArenaChecks.elements(op, "output", outer, inner);
        ArenaChecks.inside(op, "input", xOff, ArenaChecks.elements(op, "input", outer, n, inner), ClTypes.bytes(dtype), arena);
        ArenaChecks.inside(op, "output", yOff, cells, type.bytes, arena);
        if (cells == 0) return;
        if (n == 0) throw new IllegalArgumentException(op + " along an axis of size 0");
        Map<String, String> defines = new HashMap<>(type.defines("OUT_T", executor.device()));
        if (f64) {
            defines.put("IN_T", "double");
            defines.put("FP64", "1");
        }
        ClKernel k = kernel("arg_reduce", n, defines);
        k.arg(0, arena).arg(1, xOff).arg(2, arena).arg(3, yOff).arg(4, n).arg(5, inner).arg(6, max ? 1 : 0).arg(7, cells);
        launch(k, cells);
    }

    /** One group of {@code group(k)} work-items per output, or one work-item per output in groups the driver sizes. */
    private void launch(ClKernel k, int outputs) {
        long wg = groups.get(k);
        if (wg == 1) executor.launch(k, new long[]{(outputs + 63L) / 64 * 64}, null);
        else executor.launch(k, new long[]{outputs * wg}, new long[]{wg});
    }

    private final Map<ClKernel, Integer> groups = new HashMap<>();

    /**
     * The kernel specialized by {@code defines} and a group size for {@code count} inputs per
     * output: 1 (one work-item folds a handful), 32 or 256, so few programs are built; halved
     * while the device or the kernel cannot run that many.
     */
    private ClKernel kernel(String name, int count, Map<String, String> defines) {
        int wg = count <= 4 ? 1 : count <= 1024 ? 32 : MAX_GROUP;
        while (wg > executor.device().maxWorkGroupSize()) wg /= 2;
        while (true) {
            Map<String, String> d = new java.util.TreeMap<>(defines); // sorted: equal specializations, equal keys
            d.put("WG", "" + wg);
            String key = name + d;
            ClKernel k = kernels.get(key);
            if (k == null) {
                k = executor.program(ProgramSource.resource("reduce.cl", d)).kernel(name);
                kernels.put(key, k);
            }
            if (wg == 1 || TiledPrograms.workGroupSize(executor, k) >= wg) {
                groups.put(k, wg);
                return k;
            }
            wg /= 2; // registers or local memory cap this kernel below the device's maximum
        }
    }
}
