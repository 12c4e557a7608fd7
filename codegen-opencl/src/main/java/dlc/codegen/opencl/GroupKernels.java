package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.*;

/**
 * Generates the OpenCL C kernels of one {@link ClGroupPlan}: each elementwise step is one kernel
 * with one work-item per point of its index space, which evaluates every inline op of the step in
 * registers (each once) and stores the step's targets; each reduction is one kernel with one
 * work-item per result element, looping over the reduced axes with its operand's expression
 * evaluated inline at each point (producers fused into the reduction). Broadcasting is index
 * arithmetic: a stored operand of a smaller shape is read at the point's coordinates projected onto
 * its dims (dims of 1 read index 0). Kernel calls in the group are lowered by their table entries.
 */
final class GroupKernels {
    /** Integer wrapping to a dtype (as dlc.numerics.Ints.wrap), shared by every generated program. */
    static final String HELPERS = """
            #ifdef FP64
            #pragma OPENCL EXTENSION cl_khr_fp64 : enable
            // a cast to f16: x rounded once to half (nearest even, overflow to inf) and stored as
            // double, as dlc.numerics.Half.round; vstore_half takes a pointer to half storage only
            inline double dlc_f16(const double x) {
                ushort b;
                vstore_half_rte(x, 0, (__private half*) &b);
                return (double) vload_half(0, (__private const half*) &b);
            }
            #endif
            #define dlc_i8(x) ((double)as_char((uchar)((x) & 0xffL)))
            #define dlc_u8(x) ((double)((x) & 0xffL))
            #define dlc_i32(x) ((double)as_int((uint)((x) & 0xffffffffL)))
            #define dlc_i64(x) ((double)(x))
            // integer div, mod, trunc_div, trunc_mod, pow on the exact values (dlc.numerics.Ints): a
            // zero divisor or a negative exponent gives 0 and records the op's code in E[0] (IntegerErrors);
            // a divisor of -1 is a wrapping negation, as Java (C leaves LONG_MIN / -1 undefined)
            inline long dlc_fail(__global int* E, int code) { atomic_min(E, code); return 0; }
            inline long dlc_truncdiv(long a, long b, __global int* E, int code) {
                if (b == 0) return dlc_fail(E, code);
                return b == -1 ? (long)(0UL - (ulong)a) : a / b;
            }
            inline long dlc_truncmod(long a, long b, __global int* E, int code) {
                if (b == 0) return dlc_fail(E, code);
                return b == -1 ? 0 : a % b;
            }
            inline long dlc_floordiv(long a, long b, __global int* E, int code) {
                if (b == 0) return dlc_fail(E, code);
                if (b == -1) return (long)(0UL - (ulong)a);
                long q = a / b;
                return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
            }
            inline long dlc_floormod(long a, long b, __global int* E, int code) {
                if (b == 0) return dlc_fail(E, code);
                if (b == -1) return 0;
                long r = a % b;
                return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
            }
            inline long dlc_ipow(long a, long e, __global int* E, int code) {
                if (e < 0) { atomic_min(E + 1, (int)max(e, (long)INT_MIN)); return dlc_fail(E, code); }
                ulong r = 1, base = (ulong)a;
                while (e != 0) {
                    if ((e & 1) != 0) r *= base;
                    base *= base;
                    e >>= 1;
                }
                return (long)r;
            }
            """;

    private GroupKernels() {}

    /** Adds the kernels and steps of {@code plan} to {@code cx}; {@code what} names the group in the kernels' comments. */
    static void lower(ClGroupPlan plan, String what, ClLowering.KernelContext cx) {
        ClLowering.KernelContext inGroup = new ClLowering.KernelContext() {
            @Override public KernelWriter kernel(String w) { return cx.kernel(w); }

            @Override public void step(ClStep step) { cx.step(step); }

            @Override public Value home(Value v) {
                Value h = plan.home.get(v);
                if (h == null) throw new IllegalStateException("value " + v + " of " + what + " is not stored");
                return cx.home(h);
            }
        };
        for (ClGroupPlan.Step s : plan.steps) {
            if (s instanceof ClGroupPlan.Elementwise e) elementwise(plan, e, what, inGroup, cx);
            else if (s instanceof ClGroupPlan.Epilogue ep) epilogue(plan, ep, what, inGroup, cx);
            else if (s instanceof ClGroupPlan.Rows rows) rows(plan, rows, what, inGroup, cx);
            else if (s instanceof ClGroupPlan.Reduce r) reduce(plan, r.node(), what, inGroup);
            else {
                Node n = ((ClGroupPlan.Call) s).node();
                ((ClLowering.KernelCall) kernelEntry(n)).code().lower(n, inGroup);
            }
        }
    }

    private static ClLowering kernelEntry(Node n) {
        return ClLoweringTable.of(n).accept(n, new ClLoweringTable.Kinds<ClLowering>(null) {
            @Override public ClLowering kernel(Node m, ClLowering.KernelCall how) { return how; }
        });
    }

    /** The index space of a kernel: coordinates of its points and the linear index of each shape read. */
    private abstract static class Space {
        final Shape shape;
        final KernelWriter w;
        final Map<Integer, String> coords = new HashMap<>();

        Space(Shape shape, KernelWriter w) {
            this.shape = shape;
            this.w = w;
        }

        abstract String coord(int axis);

        /** The linear index of the point in a dense tensor of {@code s}, which broadcasts to this space. */
        String index(Shape s) {
            int r = shape.rank(), q = s.rank();
            List<String> terms = new ArrayList<>();
            for (int j = 0; j < q; j++) {
                Dim d = s.dim(j);
                if (d.isConst() && d.value() == 1) continue;
                String stride = w.product(s.dims().subList(j + 1, q));
                String c = coord(j + r - q);
                terms.add(stride.equals("1") ? c : c + " * " + stride);
            }
            return terms.isEmpty() ? "0" : String.join(" + ", terms);
        }
    }

    private static final class ElementSpace extends Space {
        /** An axis whose coordinate the kernel already has as {@code c} (a store's column or channel), or -1. */
        private final int known;

        ElementSpace(Shape shape, KernelWriter w) { this(shape, w, -1); }

        ElementSpace(Shape shape, KernelWriter w, int known) {
            super(shape, w);
            this.known = known;
        }

        @Override String coord(int axis) {
            if (axis == known) return "c";
            return coords.computeIfAbsent(axis, a -> {
                String stride = w.product(shape.dims().subList(a + 1, shape.rank()));
                String c = "c" + a;
                String q = stride.equals("1") ? "i" : "(i / " + stride + ")";
                w.line("const int " + c + " = " + (a == 0 ? q : q + " % " + w.dim(shape.dim(a))) + ";");
                return c;
            });
        }

        @Override String index(Shape s) { return s.equals(shape) ? "i" : super.index(s); }
    }

    /** Evaluates values of one kernel in registers, each once. */
    private static final class Registers {
        final ClGroupPlan plan;
        final Space space;
        final Set<Value> computed;
        final ClLowering.KernelContext cx;
        final Map<Value, String> names = new IdentityHashMap<>();
        private int next;

        Registers(ClGroupPlan plan, Space space, Set<Value> computed, ClLowering.KernelContext cx) {
            this.plan = plan;
            this.space = space;
            this.computed = computed;
            this.cx = cx;
        }

        String value(Value v) {
            String have = names.get(v);
            if (have != null) return have;
            String type = ClTypes.register(v);
            if (!type.equals("float")) space.w.usesDouble();
            boolean leaf = plan.materialized.contains(v) && !computed.contains(v) || v.producer() == null || !plan.nodes.contains(v.producer());
            String name;
            if (leaf) {
                name = "v" + next++;
                space.w.line(type + " " + name + " = " + space.w.at(cx.home(v), space.index(v.type().shape())) + ";");
            } else {
                Node n = v.producer();
                List<String> operands = new ArrayList<>();
                for (Value in : n.inputs()) operands.add(value(in));
                String expr = ClLoweringTable.of(n).accept(n, new ClLoweringTable.Kinds<String>(null) {
                    @Override public String inline(Node m, ClLowering.Inline how) { return space.w.errorSites(m, how.code().emit(m, operands)); }

                    @Override public String alias(Node m, ClLowering.Alias how) { return how.inNest() ? operands.get(0) : null; }
                });
                if (expr == null) throw new IllegalStateException("op " + n.op().name() + " (at " + n.loc() + ") cannot be evaluated in a generated kernel");
                name = "v" + next++;
                space.w.line(type + " " + name + " = " + expr + ";");
            }
            names.put(v, name);
            return name;
        }
    }

    /** {@code cx}: the group's context (region values); {@code outer}: the enclosing one, where the targets' homes are. */
    private static void elementwise(ClGroupPlan plan, ClGroupPlan.Elementwise e, String what, ClLowering.KernelContext cx, ClLowering.KernelContext outer) {
        KernelWriter w = cx.kernel(what + ": " + (e.computed().isEmpty() ? "copy" : "elementwise") + " over " + e.space());
        Dim size = e.space().numel();
        w.line("const int i = get_global_id(0);");
        Registers regs = new Registers(plan, new ElementSpace(e.space(), w), e.computed(), cx);
        for (int t = 0; t < e.values().size(); t++) {
            Value v = e.values().get(t);
            String r = regs.value(v);
            w.line(w.at(outer.home(e.homes().get(t)), "i") + " = " + r + ";");
        }
        cx.step(w.launch(size));
    }

    /**
     * A matmul or convolution with the group's elementwise step in its store: a store function
     * (evaluated per result, the result itself being the register {@code acc}) and the tiled
     * kernel's launch with it. The store knows one coordinate without division: a matmul's column
     * (when b is a matrix, so the column is y's last axis), a convolution's channel (axis 1).
     */
    private static void epilogue(ClGroupPlan plan, ClGroupPlan.Epilogue ep, String what, ClLowering.KernelContext cx, ClLowering.KernelContext outer) {
        Node anchor = ep.anchor();
        ClGroupPlan.Elementwise e = ep.store();
        KernelWriter w = cx.kernel(what + ": " + anchor.op().name() + " at " + anchor.loc() + ", its store computing the group over " + e.space());
        w.asStore();
        boolean matmul = anchor.op() == dlc.ir.ops.Ops.MATMUL;
        int known = !matmul ? 1 : anchor.input(1).type().shape().rank() >= 2 ? e.space().rank() - 1 : -1;
        Registers regs = new Registers(plan, new ElementSpace(e.space(), w, known), e.computed(), cx);
        regs.names.put(anchor.output(), "acc");
        for (int t = 0; t < e.values().size(); t++)
            w.line(w.at(outer.home(e.homes().get(t)), "i") + " = " + regs.value(e.values().get(t)) + ";");
        if (matmul) LibraryCalls.matmul(anchor, cx, w);
        else ConvPoolCalls.convWithStore(anchor, cx, w, anchor.op() == dlc.ir.ops.Ops.CONV_TRANSPOSE2D);
    }

    /**
     * A reduction whose reduced size is a constant below this runs one work-item per result with a
     * serial loop; larger (or symbolic) ones run one work-group per result and a tree in local
     * memory. Below 64 terms a work-group would be mostly idle lanes and barriers.
     */
    static final int SERIAL_BELOW = 64;

    /** The most work-items a reduction's work-group has (a power of two: the tree halves it). */
    static final int REDUCE_GROUP = 256;

    /**
     * One reduction node, its operand's expression evaluated at each point it reads. With a
     * work-group per result, work-item l folds the points l, l + L, l + 2L ... (L the group's
     * size), then the L partial results are combined pairwise in local memory (l with l + L/2,
     * then l + L/4 ...): a fixed order for a given L, so the result is the same run to run.
     */
    private static void reduce(ClGroupPlan plan, Node n, String what, ClLowering.KernelContext cx) {
        ClLowering.Reduction how = (ClLowering.Reduction) ClLoweringTable.of(n);
        Value x = n.input(0), y = n.output();
        Shape xs = x.type().shape();
        int rank = xs.rank();
        boolean[] reduced = new boolean[rank];
        for (long a : n.attrs().getLongs("axes")) reduced[(int) a] = true;
        List<Integer> kept = new ArrayList<>(), red = new ArrayList<>();
        for (int a = 0; a < rank; a++) (reduced[a] ? red : kept).add(a);
        List<Dim> redDims = new ArrayList<>();
        for (int a : red) redDims.add(xs.dim(a));
        Dim reducedSize = Shape.of(redDims.toArray(new Dim[0])).numel();
        boolean serial = reducedSize.isConst() && reducedSize.value() < SERIAL_BELOW;
        KernelWriter w = cx.kernel(what + ": " + n.op().name() + " over axes " + red + " of " + xs
                + (serial ? ", a serial loop per result" : ", a work-group per result"));
        String acc = ClTypes.isFloat(x) ? "float" : "double";
        String outType = ClTypes.register(y);
        if (!acc.equals("float") || !outType.equals("float")) w.usesDouble();
        boolean bool = x.type().dtype() == dlc.ir.DType.BOOL;
        String identity = switch (how.combine()) {
            case ADD -> ClTypes.literal(0, acc);
            case MAX -> bool ? ClTypes.literal(0, acc) : ClTypes.literal(Double.NEGATIVE_INFINITY, acc);
            case MIN -> bool ? ClTypes.literal(1, acc) : ClTypes.literal(Double.POSITIVE_INFINITY, acc);
        };
        w.line(serial ? "const int o = get_global_id(0);" : "const int o = get_group_id(0), l = get_local_id(0), L = get_local_size(0);");
        Map<Integer, String> axisCoords = new HashMap<>();
        for (int k = 0; k < kept.size(); k++) {
            int a = kept.get(k);
            List<Dim> after = new ArrayList<>();
            for (int j = k + 1; j < kept.size(); j++) after.add(xs.dim(kept.get(j)));
            String stride = w.product(after), q = stride.equals("1") ? "o" : "(o / " + stride + ")";
            w.line("const int c" + a + " = " + (k == 0 ? q : q + " % " + w.dim(xs.dim(a))) + ";");
            axisCoords.put(a, "c" + a);
        }
        String count = w.product(redDims);
        w.line(acc + " acc = " + identity + ";");
        w.line(serial ? "for (int r = 0; r < " + count + "; r++) {" : "for (int r = l; r < " + count + "; r += L) {");
        w.indent(1);
        for (int k = 0; k < red.size(); k++) {
            int a = red.get(k);
            String stride = w.product(redDims.subList(k + 1, redDims.size())), q = stride.equals("1") ? "r" : "(r / " + stride + ")";
            w.line("const int c" + a + " = " + (k == 0 ? q : q + " % " + w.dim(xs.dim(a))) + ";");
            axisCoords.put(a, "c" + a);
        }
        Space space = new Space(xs, w) {
            @Override String coord(int axis) { return axisCoords.get(axis); }
        };
        Registers regs = new Registers(plan, space, Set.of(), cx);
        String v = regs.value(x);
        w.line(combine(how.combine(), acc, "acc", "(" + acc + ")" + v));
        w.indent(-1);
        w.line("}");
        if (!serial) {
            w.line("__local " + acc + " part[" + REDUCE_GROUP + "];");
            w.line("part[l] = acc;");
            w.line("barrier(CLK_LOCAL_MEM_FENCE);");
            w.line("for (int s = L / 2; s > 0; s >>= 1) {");
            w.indent(1);
            w.line("if (l < s) " + combine(how.combine(), acc, "part[l]", "part[l + s]"));
            w.line("barrier(CLK_LOCAL_MEM_FENCE);");
            w.indent(-1);
            w.line("}");
            w.line("if (l != 0) return;");
            w.line("acc = part[0];");
        }
        String result = how.divideByCount() ? "acc / (" + acc + ")(" + count + ")" : "acc";
        if (y.type().dtype().isInteger() && how.combine() == ClLowering.Combine.ADD)
            result = ClTypes.wrap(y.type().dtype()) + "((long)(" + result + "))";
        w.line(w.at(cx.home(y), "o") + " = (" + outType + ")(" + result + ");");
        Dim results = y.type().shape().numel();
        cx.step(serial ? w.launch(results) : w.launchGroups(results, reducedSize, SERIAL_BELOW, REDUCE_GROUP));
    }

    /**
     * A {@link ClGroupPlan.Rows} step: one work-group per row (a point of the kept axes), its
     * phases in order with a barrier between them. A reduction phase folds the row's strided
     * shares and combines them in local memory as {@link #reduce} does (a serial loop when the
     * work-group is one work-item), work-item 0 storing the result; an elementwise phase computes
     * and stores the row's points, work-item l taking points l, l + L, ... Later phases read what
     * earlier ones stored for the same row, made visible by the barrier (ClGroupPlan checks that
     * they read only their own row's values).
     */
    private static void rows(ClGroupPlan plan, ClGroupPlan.Rows rows, String what, ClLowering.KernelContext cx, ClLowering.KernelContext outer) {
        Shape xs = rows.space();
        Node first = null;
        Set<String> accTypes = new TreeSet<>();
        List<String> names = new ArrayList<>();
        for (ClGroupPlan.Step s : rows.phases())
            if (s instanceof ClGroupPlan.Reduce r) {
                if (first == null) first = r.node();
                accTypes.add(ClTypes.isFloat(r.node().input(0)) ? "float" : "double");
                names.add(r.node().op().name());
            } else names.add("elementwise");
        boolean[] reduced = new boolean[xs.rank()];
        for (long a : first.attrs().getLongs("axes")) reduced[(int) a] = true;
        List<Integer> kept = new ArrayList<>(), red = new ArrayList<>();
        for (int a = 0; a < xs.rank(); a++) (reduced[a] ? red : kept).add(a);
        List<Dim> redDims = new ArrayList<>(), keptDims = new ArrayList<>();
        for (int a : red) redDims.add(xs.dim(a));
        for (int a : kept) keptDims.add(xs.dim(a));
        KernelWriter w = cx.kernel(what + ": " + String.join(", ", names) + " per row of " + xs + " (axes " + red + "), a work-group per row");
        if (accTypes.contains("double")) w.usesDouble();
        w.line("const int o = get_group_id(0), l = get_local_id(0), L = get_local_size(0);");
        for (String t : accTypes) w.line("__local " + t + " part_" + t + "[" + REDUCE_GROUP + "];");
        Map<Integer, String> keptCoords = new HashMap<>();
        for (int k = 0; k < kept.size(); k++) {
            int a = kept.get(k);
            String stride = w.product(keptDims.subList(k + 1, keptDims.size())), q = stride.equals("1") ? "o" : "(o / " + stride + ")";
            w.line("const int c" + a + " = " + (k == 0 ? q : q + " % " + w.dim(xs.dim(a))) + ";");
            keptCoords.put(a, "c" + a);
        }
        String count = w.product(redDims);
        for (int p = 0; p < rows.phases().size(); p++) {
            ClGroupPlan.Step s = rows.phases().get(p);
            if (p > 0) w.line("barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);");
            w.line("{ // " + names.get(p));
            w.indent(1);
            ClLowering.Reduction how = s instanceof ClGroupPlan.Reduce r ? (ClLowering.Reduction) ClLoweringTable.of(r.node()) : null;
            Value x = s instanceof ClGroupPlan.Reduce r ? r.node().input(0) : null;
            String acc = x == null ? null : ClTypes.isFloat(x) ? "float" : "double";
            if (how != null) w.line(acc + " acc = " + identity(how, x, acc) + ";");
            w.line("for (int r = l; r < " + count + "; r += L) {");
            w.indent(1);
            Map<Integer, String> pointCoords = new HashMap<>(keptCoords);
            for (int k = 0; k < red.size(); k++) {
                int a = red.get(k);
                String stride = w.product(redDims.subList(k + 1, redDims.size())), q = stride.equals("1") ? "r" : "(r / " + stride + ")";
                w.line("const int c" + a + " = " + (k == 0 ? q : q + " % " + w.dim(xs.dim(a))) + ";");
                pointCoords.put(a, "c" + a);
            }
            Space space = new Space(xs, w) {
                @Override String coord(int axis) { return pointCoords.get(axis); }
            };
            if (how != null) {
                String v = new Registers(plan, space, Set.of(), cx).value(x);
                w.line(combine(how.combine(), acc, "acc", "(" + acc + ")" + v));
            } else {
                ClGroupPlan.Elementwise e = (ClGroupPlan.Elementwise) s;
                Registers regs = new Registers(plan, space, e.computed(), cx);
                String index = space.index(xs);
                for (int t = 0; t < e.values().size(); t++)
                    w.line(w.at(outer.home(e.homes().get(t)), index) + " = " + regs.value(e.values().get(t)) + ";");
            }
            w.indent(-1);
            w.line("}");
            if (how != null) {
                String part = "part_" + acc;
                w.line(part + "[l] = acc;");
                w.line("barrier(CLK_LOCAL_MEM_FENCE);");
                w.line("for (int s = L / 2; s > 0; s >>= 1) {");
                w.indent(1);
                w.line("if (l < s) " + combine(how.combine(), acc, part + "[l]", part + "[l + s]"));
                w.line("barrier(CLK_LOCAL_MEM_FENCE);");
                w.indent(-1);
                w.line("}");
                Node n = ((ClGroupPlan.Reduce) s).node();
                w.line("if (l == 0) " + w.at(cx.home(n.output()), "o") + " = (" + ClTypes.register(n.output()) + ")(" + result(how, n, acc, part + "[0]", count) + ");");
            }
            w.indent(-1);
            w.line("}");
        }
        cx.step(w.launchGroups(Shape.of(keptDims.toArray(new Dim[0])).numel(), Shape.of(redDims.toArray(new Dim[0])).numel(), SERIAL_BELOW, REDUCE_GROUP));
    }

    private static String identity(ClLowering.Reduction how, Value x, String acc) {
        boolean bool = x.type().dtype() == dlc.ir.DType.BOOL;
        return switch (how.combine()) {
            case ADD -> ClTypes.literal(0, acc);
            case MAX -> bool ? ClTypes.literal(0, acc) : ClTypes.literal(Double.NEGATIVE_INFINITY, acc);
            case MIN -> bool ? ClTypes.literal(1, acc) : ClTypes.literal(Double.POSITIVE_INFINITY, acc);
        };
    }

    /** A reduction's result from its accumulated value {@code total}: divided by the count for a mean, wrapped for an integer sum. */
    private static String result(ClLowering.Reduction how, Node n, String acc, String total, String count) {
        String result = how.divideByCount() ? total + " / (" + acc + ")(" + count + ")" : total;
        if (n.output().type().dtype().isInteger() && how.combine() == ClLowering.Combine.ADD)
            result = ClTypes.wrap(n.output().type().dtype()) + "((long)(" + result + "))";
        return result;
    }

    /** The statement folding {@code value} into {@code into}: max and min keep a NaN once they meet one. */
    private static String combine(ClLowering.Combine c, String type, String into, String value) {
        return switch (c) {
            case ADD -> into + " += " + value + ";";
            case MAX -> "{ " + type + " t = " + value + "; if (t > " + into + " || isnan(t)) " + into + " = t; }";
            case MIN -> "{ " + type + " t = " + value + "; if (t < " + into + " || isnan(t)) " + into + " = t; }";
        };
    }
}
