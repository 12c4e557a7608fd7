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
            #endif
            #define dlc_i8(x) ((double)as_char((uchar)((x) & 0xffL)))
            #define dlc_u8(x) ((double)((x) & 0xffL))
            #define dlc_i32(x) ((double)as_int((uint)((x) & 0xffffffffL)))
            #define dlc_i64(x) ((double)(x))
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
        ElementSpace(Shape shape, KernelWriter w) { super(shape, w); }

        @Override String coord(int axis) {
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
                    @Override public String inline(Node m, ClLowering.Inline how) { return how.code().emit(m, operands); }

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

    private static void reduce(ClGroupPlan plan, Node n, String what, ClLowering.KernelContext cx) {
        ClLowering.Reduction how = (ClLowering.Reduction) ClLoweringTable.of(n);
        Value x = n.input(0), y = n.output();
        Shape xs = x.type().shape();
        int rank = xs.rank();
        boolean[] reduced = new boolean[rank];
        for (long a : n.attrs().getLongs("axes")) reduced[(int) a] = true;
        List<Integer> kept = new ArrayList<>(), red = new ArrayList<>();
        for (int a = 0; a < rank; a++) (reduced[a] ? red : kept).add(a);
        KernelWriter w = cx.kernel(what + ": " + n.op().name() + " over axes " + red + " of " + xs);
        String acc = ClTypes.isFloat(x) ? "float" : "double";
        String outType = ClTypes.register(y);
        if (!acc.equals("float") || !outType.equals("float")) w.usesDouble();
        boolean bool = x.type().dtype() == dlc.ir.DType.BOOL;
        String identity = switch (how.combine()) {
            case ADD -> ClTypes.literal(0, acc);
            case MAX -> bool ? ClTypes.literal(0, acc) : ClTypes.literal(Double.NEGATIVE_INFINITY, acc);
            case MIN -> bool ? ClTypes.literal(1, acc) : ClTypes.literal(Double.POSITIVE_INFINITY, acc);
        };
        w.line("const int o = get_global_id(0);");
        Map<Integer, String> axisCoords = new HashMap<>();
        for (int k = 0; k < kept.size(); k++) {
            int a = kept.get(k);
            List<Dim> after = new ArrayList<>();
            for (int j = k + 1; j < kept.size(); j++) after.add(xs.dim(kept.get(j)));
            String stride = w.product(after), q = stride.equals("1") ? "o" : "(o / " + stride + ")";
            w.line("const int c" + a + " = " + (k == 0 ? q : q + " % " + w.dim(xs.dim(a))) + ";");
            axisCoords.put(a, "c" + a);
        }
        List<Dim> redDims = new ArrayList<>();
        for (int a : red) redDims.add(xs.dim(a));
        String count = w.product(redDims);
        w.line(acc + " acc = " + identity + ";");
        w.line("for (int r = 0; r < " + count + "; r++) {");
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
        String val = "(" + acc + ")" + v;
        w.line(switch (how.combine()) {
            case ADD -> "acc += " + val + ";";
            case MAX -> "{ " + acc + " t = " + val + "; if (t > acc || isnan(t)) acc = t; }";
            case MIN -> "{ " + acc + " t = " + val + "; if (t < acc || isnan(t)) acc = t; }";
        });
        w.indent(-1);
        w.line("}");
        String result = how.divideByCount() ? "acc / (" + acc + ")(" + count + ")" : "acc";
        if (y.type().dtype().isInteger() && how.combine() == ClLowering.Combine.ADD)
            result = ClTypes.wrap(y.type().dtype()) + "((long)(" + result + "))";
        w.line(w.at(cx.home(y), "o") + " = (" + outType + ")(" + result + ");");
        cx.step(w.launch(y.type().shape().numel()));
    }
}
