package dlc.onnx;

import dlc.ir.*;
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

    private static final Map<String, String> UNARY = Map.ofEntries(
            Map.entry("neg", "Neg"), Map.entry("abs", "Abs"), Map.entry("sign", "Sign"), Map.entry("exp", "Exp"),
            Map.entry("log", "Log"), Map.entry("sqrt", "Sqrt"), Map.entry("tanh", "Tanh"), Map.entry("sigmoid", "Sigmoid"),
            Map.entry("erf", "Erf"), Map.entry("sin", "Sin"), Map.entry("cos", "Cos"), Map.entry("relu", "Relu"),
            Map.entry("floor", "Floor"), Map.entry("not", "Not"));

    private static final Map<String, String> BINARY = Map.ofEntries(
            Map.entry("add", "Add"), Map.entry("sub", "Sub"), Map.entry("mul", "Mul"), Map.entry("pow", "Pow"),
            Map.entry("maximum", "Max"), Map.entry("minimum", "Min"), Map.entry("lt", "Less"), Map.entry("le", "LessOrEqual"),
            Map.entry("gt", "Greater"), Map.entry("ge", "GreaterOrEqual"), Map.entry("eq", "Equal"), Map.entry("and", "And"),
            Map.entry("or", "Or"), Map.entry("matmul", "MatMul"));

    /** Emits {@code n} into {@code b}, binding its results' ONNX names in {@code env}. */
    static void emit(OnnxGraphBuilder b, Node n, Map<Value, String> env) {
        String op = n.op().name();
        List<String> in = n.inputs().stream().map(env::get).toList();
        if (op.equals("stop_gradient")) { // the identity outside autodiff: no node at all
            env.put(n.output(), in.get(0));
            return;
        }
        Attrs a = n.attrs();
        String hint = n.outputs().size() == 1 ? hintOf(n.output()) : null;
        String out;
        if (UNARY.containsKey(op)) out = b.node(UNARY.get(op), hint, in);
        else if (BINARY.containsKey(op)) out = b.node(BINARY.get(op), hint, in);
        else out = switch (op) {
            case "log1p" -> b.node("Log", hint, List.of(b.node("Add", List.of(in.get(0), one(b, n)))));
            case "expm1" -> b.node("Sub", hint, List.of(b.node("Exp", in), one(b, n)));
            case "rsqrt" -> b.node("Reciprocal", hint, List.of(b.node("Sqrt", in)));
            case "div" -> dtype(n, 0).isFloating() ? b.node("Div", hint, in)
                    // floor division: a - floor_mod(a, b) is a multiple of b, so the truncating Div is exact
                    : b.node("Div", hint, List.of(b.node("Sub", List.of(in.get(0), b.node("Mod", in, Attr.i("fmod", 0)))), in.get(1)));
            case "mod" -> dtype(n, 0).isFloating()
                    // floor modulo a - floor(a / b) * b (ONNX's float Mod is C's fmod, which truncates)
                    ? b.node("Sub", hint, List.of(in.get(0), b.node("Mul", List.of(b.node("Floor", List.of(b.node("Div", in))), in.get(1)))))
                    : b.node("Mod", hint, in, Attr.i("fmod", 0));
            case "ne" -> b.node("Not", hint, List.of(b.node("Equal", in)));
            case "trunc_div" -> dtype(n, 0).isFloating()
                    // no Trunc op in ONNX: ceil below zero, floor above
                    ? truncFloat(b, b.node("Div", in), n, hint)
                    : b.node("Div", hint, in); // integer Div truncates
            case "trunc_mod" -> b.node("Mod", hint, in, Attr.i("fmod", 1)); // C's fmod: the sign of the dividend
            case "resize" -> resize(b, n, in.get(0), hint);
            case "where" -> b.node("Where", hint, in);
            case "cast" -> b.node("Cast", hint, in, Attr.i("to", OnnxTensors.elemType(a.getDType("dtype"))));
            case "sum", "mean", "max", "min" -> reduce(b, n, in.get(0), hint);
            case "argmax", "argmin" -> b.node(op.equals("argmax") ? "ArgMax" : "ArgMin", hint, in,
                    Attr.i("axis", a.getLong("axis")), Attr.i("keepdims", a.getBool("keepdims", false) ? 1 : 0));
            case "conv2d", "conv_transpose2d" -> conv(b, n, in, hint);
            case "max_pool2d", "avg_pool2d" -> pool(b, n, in.get(0), hint);
            case "reshape" -> b.node("Reshape", hint, List.of(in.get(0), b.shapeTensor(a.getShape("shape"))),
                    Attr.i("allowzero", a.getShape("shape").dims().stream().anyMatch(d -> d.isConst() && d.value() == 0) ? 1 : 0));
            case "permute" -> b.node("Transpose", hint, in, Attr.ints("perm", a.getLongs("perm")));
            case "broadcast_to" -> b.node("Expand", hint, List.of(in.get(0), b.shapeTensor(a.getShape("shape"))));
            case "slice" -> slice(b, n, in.get(0), hint);
            case "pad" -> pad(b, n, in.get(0), hint);
            case "reverse" -> reverse(b, n, in.get(0), hint);
            case "concat" -> b.node("Concat", hint, in, Attr.i("axis", a.getLong("axis")));
            case "gather" -> b.node("Gather", hint, in, Attr.i("axis", a.getLong("axis")));
            case "constant" -> constant(b, n, hint);
            case "iota" -> iota(b, n, hint);
            case "scan" -> null;
            default -> throw unsupported(n, reason(op));
        };
        if (op.equals("scan")) {
            List<String> outs = new ArrayList<>();
            for (Value v : n.outputs()) outs.add(hintOf(v) != null ? b.fresh(hintOf(v)) : b.numbered("scan"));
            scan(b, n, in, outs);
            for (int i = 0; i < outs.size(); i++) env.put(n.outputs().get(i), outs.get(i));
        } else env.put(n.output(), out);
    }

    private static String reason(String op) {
        return switch (op) {
            case "random_uniform", "random_normal", "rng_fold" -> "it draws from dlc's counter-based random streams, which ONNX cannot reproduce";
            case "scatter_add", "max_pool2d_scatter", "max_pool2d_gather" -> "it appears in gradients, and dlc exports inference graphs only";
            case "fusion" -> "export runs before fusion; export the graph as the frontend lowers it";
            default -> "dlc has no ONNX form for it";
        };
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
        String op = n.op().name();
        if (op.equals("sum")) return b.node("ReduceSum", hint, List.of(x, b.longs(axes)), Attr.i("keepdims", keep));
        String onnx = switch (op) { case "mean" -> "ReduceMean"; case "max" -> "ReduceMax"; default -> "ReduceMin"; };
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
        if (n.op().name().equals("conv2d")) return b.node("Conv", hint, in, attrs.toArray(AttributeProto[]::new));
        attrs.add(Attr.ints("output_padding", a.getLongs("output_padding", new long[2])));
        return b.node("ConvTranspose", hint, in, attrs.toArray(AttributeProto[]::new));
    }

    private static String pool(OnnxGraphBuilder b, Node n, String x, String hint) {
        Attrs a = n.attrs();
        long[] k = a.getLongs("kernel");
        AttributeProto[] common = {Attr.ints("kernel_shape", k), Attr.ints("strides", a.getLongs("stride", k)), Attr.ints("pads", pads(a))};
        if (n.op().name().equals("max_pool2d")) return b.node("MaxPool", hint, List.of(x), common);
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
