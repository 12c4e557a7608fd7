package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.passes.memory.MemoryPlan;

import java.util.*;
import java.util.function.Function;

/**
 * A {@code scan} node on OpenCL: the host enqueues the body's launch list once per step, and every
 * value stays on the device.
 *
 * <p>The body is lowered once, as a graph of its own ({@link ClCompiledGraph#lower}): its memory
 * plan, and its generated kernels in the enclosing graph's one program. Its memory lies in the
 * scan's device scratch (outside the enclosing plan, {@link ClStep#scratchBytes}), together with
 * two buffers per carry, used in turn: step t reads its carries from one and its new carries are
 * written into the other (the body's output slot is moved there when the slot holds only that
 * output; otherwise the output is copied there on the device after the step). The inputs of the
 * body are read where they already are: a captured value in the enclosing graph's memory, and a
 * step's slice of an x in place (at its offset) when the slice is contiguous, that is when every dim
 * before the scanned axis is 1; otherwise (a batch-first sequence, say) the slice is gathered into a
 * step buffer with one strided device copy. A y's step is likewise written in place into the
 * stacked result when contiguous (its output slot moved there) and copied there with one strided
 * copy otherwise. Offsets that change with the step are resolved when a binding is made: the body's
 * launch list is prepared once per step then (or only for the first step and each carry buffer's
 * parity, when nothing is in place), so a run only enqueues.
 *
 * <p>Nested scans work the same way inside a body's scratch. The reverse scans that autodiff
 * builds for backpropagation through time are scans like any other.
 */
final class ClScan {
    /** A body's memory starts on this many bytes (kernels need only element alignment; this keeps vectors and cache lines whole). */
    static final long BODY_ALIGN = 128;

    private ClScan() {}

    static void lower(Node n, ClLowering.KernelContext cx, Function<String, KernelWriter> kernels) {
        Graph body = n.regions().get(0);
        ClCompiledGraph.Lowered lowered = ClCompiledGraph.lower(body, kernels);
        int carries = Math.toIntExact(n.attrs().getLong("num_carries")), xs = Math.toIntExact(n.attrs().getLong("num_xs"));
        long axisAttr = n.attrs().getLong("axis", 0);
        boolean reverse = n.attrs().getBool("reverse", false);
        Dim length = n.attrs().has("length") ? Dim.of(n.attrs().getLong("length")) : n.input(carries).type().shape().dim(axis(axisAttr, n.input(carries).type().rank()));
        List<Value> operands = new ArrayList<>(), results = new ArrayList<>();
        for (Value v : n.inputs()) operands.add(cx.home(v));
        for (Value v : n.outputs()) results.add(cx.home(v));
        Map<Boolean, RowCopy> copies = new HashMap<>();
        for (Value v : n.inputs().subList(carries, carries + xs)) copies.computeIfAbsent(ClTypes.isFloat(v), f -> RowCopy.make(v.type().dtype(), kernels));
        for (Value v : n.outputs().subList(carries, n.outputs().size())) copies.computeIfAbsent(ClTypes.isFloat(v), f -> RowCopy.make(v.type().dtype(), kernels));
        cx.step(new Step(n, body, lowered, carries, xs, axisAttr, reverse, length, operands, results, copies));
    }

    /**
     * A generated strided copy between two places of the arena: {@code rows} rows of {@code row}
     * elements, row r from {@code from + r * fromPitch} to {@code to + r * toPitch} (a step's slice of
     * a stacked tensor to or from a dense buffer). One kernel per stored element type; the OpenCL
     * rectangle copy cannot do it, as it needs equal pitches within one buffer.
     */
    private record RowCopy(String kernel, int elementBytes, boolean doubles) {
        static RowCopy make(dlc.ir.DType d, Function<String, KernelWriter> kernels) {
            KernelWriter w = kernels.apply("scan: copy rows of " + ClTypes.register(d) + " (a step's slice of a stacked tensor)");
            TensorType t = new TensorType(d, dlc.ir.Shape.SCALAR);
            Value from = Value.graphInput("from", t, Value.Role.INPUT), to = Value.graphInput("to", t, Value.Role.INPUT);
            String row = w.dim(Dim.sym("row")), fromPitch = w.dim(Dim.sym("from_pitch")), toPitch = w.dim(Dim.sym("to_pitch"));
            w.line("const int i = get_global_id(0);");
            w.line("const long r = i / " + row + ", c = i % " + row + ";");
            String target = w.at(to, "r * " + toPitch + " + c"); // o0
            w.line(target + " = " + w.at(from, "r * " + fromPitch + " + c") + ";"); // o1
            return new RowCopy(w.name, ClTypes.bytes(d), w.doubles());
        }

        ClKernel kernel(ClBinding b) { return b.kernel(kernel); }

        /** Enqueues the copy; offsets and pitches in bytes (multiples of the element size). */
        void run(ClBinding b, ClKernel k, long from, long fromPitch, long to, long toPitch, long rowBytes, long rows) {
            if (rowBytes == 0 || rows == 0) return;
            if (rows == 1) {
                b.executor().copy(b.arena(), from, to, rowBytes);
                return;
            }
            int a = 0;
            k.arg(a++, b.arena());
            if (doubles) k.arg(a++, b.arena());
            k.arg(a++, Math.toIntExact(rowBytes / elementBytes));
            k.arg(a++, Math.toIntExact(fromPitch / elementBytes));
            k.arg(a++, Math.toIntExact(toPitch / elementBytes));
            k.arg(a++, to / elementBytes);
            k.arg(a, from / elementBytes);
            b.executor().launch(k, new long[]{rows * (rowBytes / elementBytes)}, null);
        }
    }

    private static int axis(long axis, int rank) { return (int) (axis < 0 ? axis + rank : axis); }

    /** The scan's scratch under one binding, in bytes from its (aligned) start: the body's memory, then the carry and x buffers. */
    private record Area(MemoryPlan.Layout bodyLayout, ArenaLayout bodyArena, long[][] carry, long[] xBuffer, long bytes) { }

    /** Elements before the scanned axis (outer) and after it (inner), per dense tensor. */
    private record View(long outer, long inner) {
        static View of(int[] shape, int axis) {
            long outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= shape[i];
            for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
            return new View(outer, inner);
        }
    }

    private static final class Step implements ClStep {
        final Node node;
        final Graph body;
        final ClCompiledGraph.Lowered lowered;
        final int carries, xs, ys;
        final long axis;
        final boolean reverse;
        final Dim length;
        final List<Value> operands, results;
        final Map<Boolean, RowCopy> copies;

        Step(Node node, Graph body, ClCompiledGraph.Lowered lowered, int carries, int xs, long axis, boolean reverse, Dim length,
             List<Value> operands, List<Value> results, Map<Boolean, RowCopy> copies) {
            this.copies = copies;
            this.node = node;
            this.body = body;
            this.lowered = lowered;
            this.carries = carries;
            this.xs = xs;
            this.ys = results.size() - carries;
            this.axis = axis;
            this.reverse = reverse;
            this.length = length;
            this.operands = operands;
            this.results = results;
        }

        private View xView(Map<String, Long> env, int j) {
            Value x = node.input(carries + j);
            return View.of(x.type().shape().eval(env), axis(axis, x.type().rank()));
        }

        private View yView(Map<String, Long> env, int k) {
            Value y = node.outputs().get(carries + k);
            return View.of(y.type().shape().eval(env), axis(axis, y.type().rank()));
        }

        private static long align(long n) { return (n + BODY_ALIGN - 1) / BODY_ALIGN * BODY_ALIGN; }

        Area area(Map<String, Long> env) {
            MemoryPlan.Layout layout = lowered.plan().layout(env, BODY_ALIGN);
            Map<String, Long> extra = new LinkedHashMap<>();
            for (int i = 0; i < lowered.steps().size(); i++) {
                long bytes = lowered.steps().get(i).scratchBytes(env);
                if (bytes > 0) extra.put(ClCompiledGraph.scratchSlice(i), bytes);
            }
            ArenaLayout bodyArena = PlanArenas.layout(layout, extra);
            long at = align(bodyArena.totalBytes());
            long[][] carry = new long[carries][2];
            for (int i = 0; i < carries; i++)
                for (int p = 0; p < 2; p++) {
                    carry[i][p] = at;
                    at = align(at + bytes(node.input(i), env));
                }
            long[] xBuffer = new long[xs];
            for (int j = 0; j < xs; j++) {
                View v = xView(env, j);
                if (v.outer() == 1) xBuffer[j] = -1; // read in place
                else {
                    xBuffer[j] = at;
                    at = align(at + v.outer() * v.inner() * ClTypes.bytes(node.input(carries + j)));
                }
            }
            return new Area(layout, bodyArena, carry, xBuffer, at);
        }

        private static long bytes(Value v, Map<String, Long> env) { return v.type().shape().numel().eval(env) * ClTypes.bytes(v); }

        @Override public long scratchBytes(Map<String, Long> env) { return area(env).bytes() + BODY_ALIGN; }

        @Override public Runnable prepare(ClBinding b) {
            Map<String, Long> env = b.env;
            Area area = area(env);
            long base = align(b.scratchBytesOffset());
            int steps = Math.toIntExact(b.eval(length));
            int[] carryBytes = new int[carries];
            long[] carryFrom = new long[carries], carryTo = new long[carries];
            for (int i = 0; i < carries; i++) {
                carryBytes[i] = Math.toIntExact(bytes(node.input(i), env));
                carryFrom[i] = b.byteOffset(operands.get(i));
                carryTo[i] = b.byteOffset(results.get(i));
            }
            View[] xv = new View[xs];
            long[] xAt = new long[xs];
            int[] xSize = new int[xs];
            boolean inPlace = false;
            for (int j = 0; j < xs; j++) {
                xv[j] = xView(env, j);
                xAt[j] = b.byteOffset(operands.get(carries + j));
                xSize[j] = ClTypes.bytes(node.input(carries + j));
                inPlace |= xv[j].outer() == 1 && xv[j].inner() > 0;
            }
            View[] yv = new View[ys];
            long[] yAt = new long[ys];
            int[] ySize = new int[ys];
            for (int k = 0; k < ys; k++) {
                yv[k] = yView(env, k);
                yAt[k] = b.byteOffset(results.get(carries + k));
                ySize[k] = ClTypes.bytes(node.outputs().get(carries + k));
                inPlace |= yv[k].outer() == 1 && yv[k].inner() > 0 && movable(area.bodyLayout().plan(), body.outputs().get(carries + k).value());
            }
            // the body prepared once per distinct set of offsets: per step when a slice is in place, else for the first step and each parity
            Map<Integer, Body> prepared = new HashMap<>();
            Runnable[] runs = new Runnable[steps];
            for (int t = 0; t < steps; t++) runs[t] = stepRun(b, area, base, t, steps, inPlace, prepared, xv, xAt, xSize, yv, yAt, ySize);
            int finalParity = steps % 2;
            return () -> {
                for (int i = 0; i < carries; i++) b.executor().copy(b.arena(), carryFrom[i], base + area.carry()[i][0], carryBytes[i]);
                for (Runnable r : runs) r.run();
                for (int i = 0; i < carries; i++) b.executor().copy(b.arena(), base + area.carry()[i][finalParity], carryTo[i], carryBytes[i]);
            };
        }

        /** Whether a body output's memory can be moved into the scan's: a slot that holds nothing else. */
        private static boolean movable(MemoryPlan plan, Value out) {
            return plan.home(out) instanceof MemoryPlan.InSlot s && s.slot().members().size() == 1;
        }

        /** Step {@code t} (running order) of {@code steps}: gather the strided x slices, run the body, write what it did not write in place. */
        private Runnable stepRun(ClBinding b, Area area, long base, int t, int steps, boolean inPlace, Map<Integer, Body> prepared,
                                 View[] xv, long[] xAt, int[] xSize, View[] yv, long[] yAt, int[] ySize) {
            int at = reverse ? steps - 1 - t : t, now = t % 2, next = 1 - now;
            List<Value> bodyIn = body.inputs();
            long[] inputBytes = new long[bodyIn.size()];
            List<Runnable> before = new ArrayList<>(), after = new ArrayList<>();
            for (int i = 0; i < carries; i++) inputBytes[i] = base + area.carry()[i][now];
            for (int j = 0; j < xs; j++) {
                long rowBytes = xv[j].inner() * xSize[j], from = xAt[j] + at * rowBytes, pitch = steps * rowBytes;
                if (area.xBuffer()[j] < 0) inputBytes[carries + j] = from;
                else {
                    long to = base + area.xBuffer()[j], rows = xv[j].outer();
                    inputBytes[carries + j] = to;
                    RowCopy rc = copies.get(ClTypes.isFloat(node.input(carries + j)));
                    ClKernel k = rc.kernel(b);
                    before.add(() -> rc.run(b, k, from, pitch, to, rowBytes, rowBytes, rows));
                }
            }
            for (int c = carries + xs; c < bodyIn.size(); c++) inputBytes[c] = b.byteOffset(operands.get(c));
            // where each body output goes: its slot moved there, or a copy after the step
            MemoryPlan plan = area.bodyLayout().plan();
            Map<Integer, Long> moved = new HashMap<>();
            List<Value> outs = body.outputValues();
            long[] target = new long[outs.size()];
            boolean[] copy = new boolean[outs.size()];
            for (int k = 0; k < outs.size(); k++) {
                Value o = outs.get(k);
                boolean contiguous;
                if (k < carries) {
                    target[k] = base + area.carry()[k][next];
                    contiguous = true;
                } else {
                    int y = k - carries;
                    target[k] = yAt[y] + at * yv[y].inner() * ySize[y];
                    contiguous = yv[y].outer() == 1;
                }
                if (contiguous && movable(plan, o) && moved.putIfAbsent(((MemoryPlan.InSlot) plan.home(o)).slot().index(), target[k]) == null) continue;
                copy[k] = true;
            }
            int key = inPlace ? t : t == 0 ? 0 : 1 + now;
            Body bd = prepared.computeIfAbsent(key, k -> {
                ClBinding bb = b.nested(area.bodyLayout(), area.bodyArena(), base, inputBytes, moved, t == 0, b.resetsErrors && t == 0, node);
                Runnable[] launches = new Runnable[lowered.steps().size()];
                for (int i = 0; i < launches.length; i++) {
                    bb.preparing = i;
                    launches[i] = lowered.steps().get(i).prepare(bb);
                }
                return new Body(bb, launches);
            });
            for (int k = 0; k < outs.size(); k++) {
                if (!copy[k]) continue;
                long from = bd.binding().byteOffset(outs.get(k)), to = target[k];
                if (k < carries) {
                    long bytes = bytes(node.input(k), b.env);
                    after.add(() -> b.executor().copy(b.arena(), from, to, bytes));
                } else {
                    int y = k - carries;
                    long rowBytes = yv[y].inner() * ySize[y], rows = yv[y].outer(), pitch = steps * rowBytes;
                    RowCopy rc = copies.get(ClTypes.isFloat(node.outputs().get(k)));
                    ClKernel kk = rc.kernel(b);
                    after.add(() -> rc.run(b, kk, from, rowBytes, to, pitch, rowBytes, rows));
                }
            }
            Runnable[] pre = before.toArray(Runnable[]::new), launches = bd.launches(), post = after.toArray(Runnable[]::new);
            return () -> {
                for (Runnable r : pre) r.run();
                for (Runnable r : launches) r.run();
                for (Runnable r : post) r.run();
            };
        }
    }

    /** A body prepared for one set of offsets: its binding and launch list. */
    private record Body(ClBinding binding, Runnable[] launches) { }
}
