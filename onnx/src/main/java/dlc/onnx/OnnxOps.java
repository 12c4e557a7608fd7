package dlc.onnx;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.onnx.proto.Onnx.AttributeProto;
import dlc.onnx.proto.Onnx.GraphProto;

import java.util.*;

/**
 * Each dlc primitive as one ONNX node (opset 17) or a small fixed pattern of them. Shapes that
 * hold symbolic dims become int64 tensors computed from the inputs' shapes at run time. The ops
 * that only gradients make (scatter_add, the max-pool gradient pair), random draws and fusion
 * groups have no ONNX form here: exporting them is an {@link OnnxException} naming the op and
 * its source line.
 */
final class OnnxOps {
    private OnnxOps() {}

    /** How one op becomes ONNX nodes: the name of the node holding its result. */
    @FunctionalInterface
    private interface Rule {
        String emit(OnnxGraphBuilder b, Node n, List<String> in, String hint);
    }

    /** Each exportable op's rule; stop_gradient and scan are handled in {@link #emit} itself. */
    private static final Map<OpDef, Rule> RULES = rules();

    private static Map<OpDef, Rule> rules() {
        Map<OpDef, Rule> r = new HashMap<>();
        Map<OpDef, String> oneNode = Map.ofEntries(
                Map.entry(Ops.NEG, "Neg"), Map.entry(Ops.ABS, "Abs"), Map.entry(Ops.SIGN, "Sign"), Map.entry(Ops.EXP, "Exp"),
                Map.entry(Ops.LOG, "Log"), Map.entry(Ops.SQRT, "Sqrt"), Map.entry(Ops.TANH, "Tanh"), Map.entry(Ops.SIGMOID, "Sigmoid"),
                Map.entry(Ops.ERF, "Erf"), Map.entry(Ops.SIN, "Sin"), Map.entry(Ops.COS, "Cos"), Map.entry(Ops.RELU, "Relu"),
                Map.entry(Ops.FLOOR, "Floor"), Map.entry(Ops.NOT, "Not"),
                Map.entry(Ops.ADD, "Add"), Map.entry(Ops.SUB, "Sub"), Map.entry(Ops.MUL, "Mul"), Map.entry(Ops.POW, "Pow"),
                Map.entry(Ops.MAXIMUM, "Max"), Map.entry(Ops.MINIMUM, "Min"), Map.entry(Ops.LT, "Less"), Map.entry(Ops.LE, "LessOrEqual"),
                Map.entry(Ops.GT, "Greater"), Map.entry(Ops.GE, "GreaterOrEqual"), Map.entry(Ops.EQ, "Equal"), Map.entry(Ops.AND, "And"),
                Map.entry(Ops.OR, "Or"), Map.entry(Ops.MATMUL, "MatMul"), Map.entry(Ops.WHERE, "Where"));
        oneNode.forEach((op, onnx) -> r.put(op, (b, n, in, hint) -> b.node(onnx, hint, in)));
        r.put(Ops.LOG1P, (b, n, in, hint) -> b.node("Log", hint, List.of(b.node("Add", List.of(in.get(0), one(b, n))))));
        r.put(Ops.EXPM1, (b, n, in, hint) -> b.node("Sub", hint, List.of(b.node("Exp", in), one(b, n))));
        r.put(Ops.RSQRT, (b, n, in, hint) -> b.node("Reciprocal", hint, List.of(b.node("Sqrt", in))));
        r.put(Ops.DIV, (b, n, in, hint) -> dtype(n, 0).isFloating() ? b.node("Div", hint, in)
                // floor division: a - floor_mod(a, b) is a multiple of b, so the truncating Div is exact
                : b.node("Div", hint, List.of(b.node("Sub", List.of(in.get(0), b.node("Mod", in, Attr.i("fmod", 0)))), in.get(1))));
        r.put(Ops.MOD, (b, n, in, hint) -> dtype(n, 0).isFloating()
                // floor modulo a - floor(a / b) * b (ONNX's float Mod is C's fmod, which truncates)
                ? b.node("Sub", hint, List.of(in.get(0), b.node("Mul", List.of(b.node("Floor", List.of(b.node("Div", in))), in.get(1)))))
                : b.node("Mod", hint, in, Attr.i("fmod", 0)));
        r.put(Ops.NE, (b, n, in, hint) -> b.node("Not", hint, List.of(b.node("Equal", in))));
        r.put(Ops.TRUNC_DIV, (b, n, in, hint) -> dtype(n, 0).isFloating()
                // no Trunc op in ONNX: ceil below zero, floor above
                ? truncFloat(b, b.node("Div", in), n, hint)
                : b.node("Div", hint, in)); // integer Div truncates
        r.put(Ops.TRUNC_MOD, (b, n, in, hint) -> b.node("Mod", hint, in, Attr.i("fmod", 1))); // C's fmod: the sign of the dividend
        r.put(Ops.RESIZE, (b, n, in, hint) -> resize(b, n, in.get(0), hint));
        r.put(Ops.CAST, (b, n, in, hint) -> b.node("Cast", hint, in, Attr.i("to", OnnxTensors.elemType(n.attrs().getDType("dtype")))));
        for (OpDef op : List.of(Ops.SUM, Ops.MEAN, Ops.MAX, Ops.MIN)) r.put(op, (b, n, in, hint) -> reduce(b, n, in.get(0), hint));
        r.put(Ops.ARGMAX, (b, n, in, hint) -> argReduce("ArgMax", b, n, in, hint));
        r.put(Ops.ARGMIN, (b, n, in, hint) -> argReduce("ArgMin", b, n, in, hint));
        r.put(Ops.CONV2D, OnnxOps::conv);
        r.put(Ops.CONV_TRANSPOSE2D, OnnxOps::conv);
        r.put(Ops.MAX_POOL2D, (b, n, in, hint) -> pool(b, n, in.get(0), hint));
        r.put(Ops.AVG_POOL2D, (b, n, in, hint) -> pool(b, n, in.get(0), hint));
        r.put(Ops.RESHAPE, (b, n, in, hint) -> {
            Shape to = n.attrs().getShape("shape");
            return b.node("Reshape", hint, List.of(in.get(0), b.shapeTensor(to)),
                    Attr.i("allowzero", to.dims().stream().anyMatch(d -> d.isConst() && d.value() == 0) ? 1 : 0));
        });
        r.put(Ops.PERMUTE, (b, n, in, hint) -> b.node("Transpose", hint, in, Attr.ints("perm", n.attrs().getLongs("perm"))));
        r.put(Ops.BROADCAST_TO, (b, n, in, hint) -> b.node("Expand", hint, List.of(in.get(0), b.shapeTensor(n.attrs().getShape("shape")))));
        r.put(Ops.SLICE, (b, n, in, hint) -> slice(b, n, in.get(0), hint));
        r.put(Ops.PAD, (b, n, in, hint) -> pad(b, n, in.get(0), hint));
        r.put(Ops.REVERSE, (b, n, in, hint) -> reverse(b, n, in.get(0), hint));
        r.put(Ops.CONCAT, (b, n, in, hint) -> b.node("Concat", hint, in, Attr.i("axis", n.attrs().getLong("axis"))));
        r.put(Ops.GATHER, (b, n, in, hint) -> b.node("Gather", hint, in, Attr.i("axis", n.attrs().getLong("axis"))));
        r.put(Ops.CONSTANT, (b, n, in, hint) -> constant(b, n, hint));
        r.put(Ops.IOTA, (b, n, in, hint) -> iota(b, n, hint));
        return r;
    }

    /** Emits {@code n} into {@code b}, binding its results' ONNX names in {@code env}. */
    static void emit(OnnxGraphBuilder b, Node n, Map<Value, String> env) {
        OpDef op = n.op();
        List<String> in = n.inputs().stream().map(env::get).toList();
        if (op == Ops.STOP_GRADIENT) { // the identity outside autodiff: no node at all
            env.put(n.output(), in.get(0));
            return;
        }
        if (op == Ops.SCAN) {
            List<String> outs = new ArrayList<>();
            for (Value v : n.outputs()) outs.add(hintOf(v) != null ? b.fresh(hintOf(v)) : b.numbered("scan"));
            scan(b, n, in, outs);
            for (int i = 0; i < outs.size(); i++) env.put(n.outputs().get(i), outs.get(i));
            return;
        }
        Rule rule = RULES.get(op);
        if (rule == null) throw unsupported(n, reason(op));
        env.put(n.output(), rule.emit(b, n, in, n.outputs().size() == 1 ? hintOf(n.output()) : null));
    }

    private static String reason(OpDef op) {
        if (op.is(OpTrait.RANDOM))
            return "it draws from dlc's counter-based random streams, which ONNX cannot reproduce";
        if (op == Ops.SCATTER_ADD || op == Ops.MAX_POOL2D_SCATTER || op == Ops.MAX_POOL2D_GATHER)
            return "it appears in gradients, and dlc exports inference graphs only";
        if (op == Ops.FUSION) return "export runs before fusion; export the graph as the frontend lowers it";
        return "dlc has no ONNX form for it";
    }

    private static String argReduce(String onnx, OnnxGraphBuilder b, Node n, List<String> in, String hint) {
        Attrs a = n.attrs();
        return b.node(onnx, hint, in, Attr.i("axis", a.getLong("axis")), Attr.i("keepdims", a.getBool("keepdims", false) ? 1 : 0));
    }

    static OnnxException unsupported(Node n, String why) {
        return new OnnxException("op '" + n.op().name() + "' at " + n.loc() + " has no ONNX form: " + why);
    }

    private static String hintOf(Value v) {
        String s = v.name();
        if (s == null) return null;
        return s.replaceAll("[^A-Za-z0-9_.]", "_");
    }

    private static DType dtype(Node n, int operand) { return n.input(operand).type().dtype(); }

    private static String one(OnnxGraphBuilder b, Node n) { return b.scalar(1, n.output().type().dtype()); }

    private static String truncFloat(OnnxGraphBuilder b, String q, Node n, String hint) {
        String negative = b.node("Less", List.of(q, b.scalar(0, n.output().type().dtype())));
        return b.node("Where", hint, List.of(negative, b.node("Ceil", List.of(q)), b.node("Floor", List.of(q))));
    }

    /**
     * resize to [N, C, H_out, W_out]: nearest takes floor(i * n / m) (ONNX asymmetric coordinates,
     * floor rounding), bilinear samples at (i + 0.5) n / m - 0.5 clamped at the edges (half_pixel).
     */
    private static String resize(OnnxGraphBuilder b, Node n, String x, String hint) {
        boolean bilinear = "bilinear".equals(n.attrs().get("mode"));
        String sizes = b.shapeTensor(n.output().type().shape());
        return b.node("Resize", hint, List.of(x, "", "", sizes),
                Attr.s("mode", bilinear ? "linear" : "nearest"),
                Attr.s("coordinate_transformation_mode", bilinear ? "half_pixel" : "asymmetric"),
                Attr.s("nearest_mode", "floor"));
    }

    private static String reduce(OnnxGraphBuilder b, Node n, String x, String hint) {
        long[] axes = n.attrs().getLongs("axes");
        long keep = n.attrs().getBool("keepdims", false) ? 1 : 0;
        if (axes.length == 0) return b.node("Identity", hint, List.of(x)); // reducing no axis leaves x as it is
        OpDef op = n.op();
        if (op == Ops.SUM) return b.node("ReduceSum", hint, List.of(x, b.longs(axes)), Attr.i("keepdims", keep));
        String onnx = op == Ops.MEAN ? "ReduceMean" : op == Ops.MAX ? "ReduceMax" : "ReduceMin";
        return b.node(onnx, hint, List.of(x), Attr.ints("axes", axes), Attr.i("keepdims", keep));
    }

    /** dlc pads [top, bottom, left, right]; ONNX [top, left, bottom, right]. */
    private static long[] pads(Attrs a) {
        long[] p = a.getLongs("padding", new long[4]);
        return new long[]{p[0], p[2], p[1], p[3]};
    }

    private static String conv(OnnxGraphBuilder b, Node n, List<String> in, String hint) {
        Attrs a = n.attrs();
        List<AttributeProto> attrs = new ArrayList<>(List.of(
                Attr.ints("strides", a.getLongs("stride", new long[]{1, 1})),
                Attr.ints("pads", pads(a)),
                Attr.ints("dilations", a.getLongs("dilation", new long[]{1, 1})),
                Attr.i("group", a.getLong("groups", 1))));
        if (n.op() == Ops.CONV2D) return b.node("Conv", hint, in, attrs.toArray(AttributeProto[]::new));
        attrs.add(Attr.ints("output_padding", a.getLongs("output_padding", new long[2])));
        return b.node("ConvTranspose", hint, in, attrs.toArray(AttributeProto[]::new));
    }

    private static String pool(OnnxGraphBuilder b, Node n, String x, String hint) {
        Attrs a = n.attrs();
        long[] k = a.getLongs("kernel");
        AttributeProto[] common = {Attr.ints("kernel_shape", k), Attr.ints("strides", a.getLongs("stride", k)), Attr.ints("pads", pads(a))};
        if (n.op() == Ops.MAX_POOL2D) return b.node("MaxPool", hint, List.of(x), common);
        List<AttributeProto> attrs = new ArrayList<>(List.of(common));
        attrs.add(Attr.i("count_include_pad", a.getBool("count_include_pad", true) ? 1 : 0));
        return b.node("AveragePool", hint, List.of(x), attrs.toArray(AttributeProto[]::new));
    }

    private static String slice(OnnxGraphBuilder b, Node n, String x, String hint) {
        Attrs a = n.attrs();
        Shape starts = a.getShape("starts"), stops = a.getShape("stops");
        long[] steps = a.getLongs("steps");
        long[] axes = new long[steps.length];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return b.node("Slice", hint, List.of(x, b.shapeTensor(starts), b.shapeTensor(stops), b.longs(axes), b.longs(steps)));
    }

    private static String pad(OnnxGraphBuilder b, Node n, String x, String hint) {
        long[] low = n.attrs().getLongs("low"), high = n.attrs().getLongs("high");
        long[] pads = new long[low.length * 2];
        System.arraycopy(low, 0, pads, 0, low.length);
        System.arraycopy(high, 0, pads, low.length, high.length);
        String value = b.scalar(n.attrs().getDouble("value", 0), n.output().type().dtype());
        return b.node("Pad", hint, List.of(x, b.longs(pads), value), Attr.s("mode", "constant"));
    }

    /** Slice with step -1 from the last element past the first, on each reversed axis. */
    private static String reverse(OnnxGraphBuilder b, Node n, String x, String hint) {
        long[] axes = n.attrs().getLongs("axes");
        if (axes.length == 0) return b.node("Identity", hint, List.of(x));
        long[] starts = new long[axes.length], ends = new long[axes.length], steps = new long[axes.length];
        Arrays.fill(starts, -1);
        Arrays.fill(ends, Long.MIN_VALUE);
        Arrays.fill(steps, -1);
        return b.node("Slice", hint, List.of(x, b.longs(starts), b.longs(ends), b.longs(axes), b.longs(steps)));
    }

    private static String constant(OnnxGraphBuilder b, Node n, String hint) {
        Attrs a = n.attrs();
        TensorType t = n.output().type();
        int[] shape = t.shape().eval(Map.of());
        double[] values = a.getDoubles("values"), data = new double[(int) dlc.ir.eval.Tensor.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = values.length == 1 ? values[0] : values[i];
        return b.constant(new dlc.ir.eval.Tensor(t.dtype(), shape, data), hint != null ? hint : "const");
    }

    /** Range(0, size) along the axis, shaped [1, .., size, .., 1], expanded to the shape and cast to the dtype. */
    private static String iota(OnnxGraphBuilder b, Node n, String hint) {
        Attrs a = n.attrs();
        Shape s = a.getShape("shape");
        int axis = (int) a.getLong("axis");
        String size = b.node("Squeeze", List.of(b.dimTensor(s.dim(axis)), b.longs(0)));
        String range = b.node("Range", List.of(b.scalar(0, DType.I64), size, b.scalar(1, DType.I64)));
        long[] column = new long[s.rank()];
        Arrays.fill(column, 1);
        column[axis] = -1;
        String shaped = b.node("Reshape", List.of(range, b.longs(column)));
        String full = b.node("Expand", List.of(shaped, b.shapeTensor(s)));
        return b.node("Cast", hint, List.of(full), Attr.i("to", OnnxTensors.elemType(a.getDType("dtype"))));
    }

    /**
     * dlc's scan as ONNX Scan: the carries are Scan's state variables, the xs its scan inputs (a
     * scan without xs scans a constant of its length), the ys its scan outputs (prepended when
     * reversed, so y_t lands at index t as in dlc). Captured operands are not passed: the body
     * names the outer values directly, as ONNX subgraphs may.
     */
    private static void scan(OnnxGraphBuilder b, Node n, List<String> in, List<String> outs) {
        Attrs a = n.attrs();
        int nc = (int) a.getLong("num_carries"), nx = (int) a.getLong("num_xs");
        long axis = a.getLong("axis", 0);
        boolean reverse = a.getBool("reverse", false);
        Graph body = n.regions().get(0);
        OnnxGraphBuilder sub = b.nested("body");
        Map<Value, String> benv = new IdentityHashMap<>();
        List<String> scanInputs = new ArrayList<>(in.subList(0, nc + nx));
        List<Long> inAxes = new ArrayList<>();
        for (int j = 0; j < nx; j++) {
            int rank = n.input(nc + j).type().rank();
            inAxes.add(axis < 0 ? axis + rank : axis);
        }
        for (int i = 0; i < body.inputs().size(); i++) {
            Value v = body.inputs().get(i);
            if (i < nc + nx) {
                String name = sub.fresh(hintOf(v) != null ? hintOf(v) : "s");
                benv.put(v, name);
                sub.graph.addInput(OnnxGraphBuilder.valueInfo(name, v.type()));
            } else benv.put(v, in.get(i)); // captured: the outer value itself
        }
        if (nx == 0) {
            long length = a.getLong("length");
            String steps = b.constant(dlc.ir.eval.Tensor.zeros(DType.F32, (int) length), "steps");
            scanInputs.add(steps);
            inAxes.add(0L);
            sub.graph.addInput(OnnxGraphBuilder.valueInfo(sub.fresh("step"), TensorType.scalar(DType.F32)));
        }
        for (Node bn : body.nodes()) emit(sub, bn, benv);
        List<Long> outAxes = new ArrayList<>();
        for (int i = 0; i < body.outputs().size(); i++) {
            Value v = body.outputs().get(i).value();
            String name = sub.fresh("out");
            sub.nodeTo("Identity", List.of(name), List.of(benv.get(v)));
            sub.graph.addOutput(OnnxGraphBuilder.valueInfo(name, v.type()));
            if (i >= nc) outAxes.add(axis < 0 ? axis + v.type().rank() + 1 : axis);
        }
        GraphProto g = sub.graph.build();
        int scans = scanInputs.size() - nc, ys = outAxes.size();
        b.nodeTo("Scan", outs, scanInputs,
                Attr.graph("body", g),
                Attr.i("num_scan_inputs", scans),
                Attr.ints("scan_input_axes", inAxes.stream().mapToLong(Long::longValue).toArray()),
                Attr.ints("scan_input_directions", fill(scans, reverse ? 1 : 0)),
                Attr.ints("scan_output_axes", outAxes.stream().mapToLong(Long::longValue).toArray()),
                Attr.ints("scan_output_directions", fill(ys, reverse ? 1 : 0)));
    }

    private static long[] fill(int n, long v) {
        long[] out = new long[n];
        Arrays.fill(out, v);
        return out;
    }
}
