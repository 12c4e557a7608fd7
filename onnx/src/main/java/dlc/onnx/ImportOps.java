package dlc.onnx;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.onnx.Imported.K;
import dlc.onnx.Imported.T;
import dlc.onnx.proto.Onnx.*;

import java.util.*;

/**
 * One import: walks the ONNX graph's nodes in order and writes one .dl statement per node that
 * computes a tensor, folding the nodes whose values are known at import time. Result types come
 * from dlc's own shape rules ({@link OpDef#infer}), so the written model type-checks as the
 * frontend will see it.
 */
final class ImportOps {
    /** The ONNX ops an import understands (standard domain). */
    static final Set<String> SUPPORTED = Set.of(
            "Identity", "Dropout", "Constant", "ConstantOfShape", "Shape", "Size", "Cast",
            "Neg", "Abs", "Sign", "Exp", "Log", "Sqrt", "Tanh", "Sigmoid", "Erf", "Sin", "Cos", "Relu", "Floor", "Ceil", "Not",
            "Reciprocal", "Softplus", "LeakyRelu", "Elu", "HardSigmoid", "Clip",
            "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal",
            "And", "Or", "Where", "MatMul", "Gemm", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
            "GlobalMaxPool", "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ArgMax", "ArgMin", "Softmax", "LogSoftmax",
            "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Expand", "Concat", "Split", "Slice", "Gather", "Pad",
            "Range", "Resize", "BatchNormalization", "LayerNormalization", "Scan");

    /** ONNX unary op -> the dlc op; its .dl builtin has the op's name. */
    private static final Map<String, OpDef> UNARY = Map.ofEntries(
            Map.entry("Neg", Ops.NEG), Map.entry("Abs", Ops.ABS), Map.entry("Sign", Ops.SIGN), Map.entry("Exp", Ops.EXP), Map.entry("Log", Ops.LOG),
            Map.entry("Sqrt", Ops.SQRT), Map.entry("Tanh", Ops.TANH), Map.entry("Sigmoid", Ops.SIGMOID), Map.entry("Erf", Ops.ERF),
            Map.entry("Sin", Ops.SIN), Map.entry("Cos", Ops.COS), Map.entry("Relu", Ops.RELU), Map.entry("Floor", Ops.FLOOR));

    /** A dlc binary op (for the shape rule) and the .dl operator or function that writes it. */
    private record Bin(OpDef op, String dl) {
        /** Written as the builtin named after the op: pow(a, b), maximum(a, b). */
        Bin(OpDef op) { this(op, op.name()); }
    }

    /** ONNX binary op -> its dlc op and .dl spelling. */
    private static final Map<String, Bin> BINARY = Map.ofEntries(
            Map.entry("Add", new Bin(Ops.ADD, "+")), Map.entry("Sub", new Bin(Ops.SUB, "-")), Map.entry("Mul", new Bin(Ops.MUL, "*")),
            Map.entry("Div", new Bin(Ops.DIV, "/")), Map.entry("Pow", new Bin(Ops.POW)), Map.entry("Max", new Bin(Ops.MAXIMUM)),
            Map.entry("Min", new Bin(Ops.MINIMUM)), Map.entry("Less", new Bin(Ops.LT, "<")),
            Map.entry("LessOrEqual", new Bin(Ops.LE, "<=")), Map.entry("Greater", new Bin(Ops.GT, ">")),
            Map.entry("GreaterOrEqual", new Bin(Ops.GE, ">=")), Map.entry("Equal", new Bin(Ops.EQ, "==")),
            Map.entry("And", new Bin(Ops.AND, "and")), Map.entry("Or", new Bin(Ops.OR, "or")), Map.entry("Mod", new Bin(Ops.MOD, "%")));

    private final GraphProto g;
    private final long opset;
    private final String modelName;
    /** The graph this one is nested in (a Scan body's enclosing graph), or null for the model's graph. */
    private final ImportOps parent;
    // shared by a model's graph and every graph nested in it: names, params and weights are the model's
    private final DlNames names;
    private final Map<String, String> symbols;
    private final List<String> params;
    private final Set<String> helpers;
    private final Map<String, Tensor> weights;
    // this graph's own
    private final Map<String, Imported> env = new HashMap<>();
    private final List<String> inputs = new ArrayList<>(), body = new ArrayList<>();
    private final Set<String> outputNames = new HashSet<>(), emittedOutputs = new HashSet<>();
    private final Map<String, Integer> uses = new HashMap<>();
    private final Map<String, String> firstUser = new HashMap<>();
    private NodeProto node;

    ImportOps(GraphProto g, long opset, String modelName) {
        this.g = g;
        this.opset = opset;
        this.modelName = modelName;
        this.parent = null;
        this.names = new DlNames();
        this.symbols = new HashMap<>();
        this.params = new ArrayList<>();
        this.helpers = new TreeSet<>();
        this.weights = new LinkedHashMap<>();
    }

    /** A nested graph (a Scan body): it sees the enclosing graphs' values by name, as ONNX subgraphs do. */
    private ImportOps(ImportOps parent, GraphProto g) {
        this.g = g;
        this.opset = parent.opset;
        this.modelName = parent.modelName;
        this.parent = parent;
        this.names = parent.names;
        this.symbols = parent.symbols;
        this.params = parent.params;
        this.helpers = parent.helpers;
        this.weights = parent.weights;
    }

    /** A value by ONNX name, here or in an enclosing graph; null when none has it. */
    private Imported lookup(String name) {
        Imported v = env.get(name);
        return v != null || parent == null ? v : parent.lookup(name);
    }

    /** Converts every node of this graph, in order. */
    private void convertNodes() {
        for (NodeProto n : g.getNodeList())
            for (String i : n.getInputList()) {
                uses.merge(i, 1, Integer::sum);
                firstUser.putIfAbsent(i, n.getOpType());
            }
        for (ValueInfoProto o : g.getOutputList()) uses.merge(o.getName(), 1, Integer::sum);
        for (NodeProto n : g.getNodeList()) {
            node = n;
            try {
                convert(n);
            } catch (ShapeException e) {
                throw fail("the shapes do not fit dlc's rules: " + e.getMessage());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw fail(e.getMessage());
            } catch (IndexOutOfBoundsException | ClassCastException | NullPointerException e) {
                // a node whose operands or attributes do not have the form the ONNX operator defines
                throw fail("malformed node (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
        }
        node = null;
    }

    OnnxImporter.Result run() {
        for (TensorProto init : g.getInitializerList()) {
            Tensor t = OnnxTensors.fromProto(init);
            env.put(init.getName(), known(t, init.getName()));
        }
        for (ValueInfoProto in : g.getInputList()) {
            if (env.containsKey(in.getName())) continue; // an initializer listed as an input too (IR version < 4)
            TensorType t = inputType(in);
            String name = names.of(in.getName());
            inputs.add("input " + name + ": " + OnnxImporter.typeText(t));
            env.put(in.getName(), new T(name, t));
        }
        for (ValueInfoProto out : g.getOutputList()) outputNames.add(out.getName());
        convertNodes();
        List<String> outs = new ArrayList<>();
        for (ValueInfoProto o : g.getOutputList()) {
            if (emittedOutputs.contains(o.getName())) continue;
            Imported v = lookup(o.getName());
            if (v == null) throw new OnnxException("graph output '" + o.getName() + "' is computed by no node");
            outs.add("output " + names.fresh(o.getName()) + " = " + tensor(o.getName()).expr());
        }
        return new OnnxImporter.Result(source(outs), weights, modelName);
    }

    private String source(List<String> outs) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Imported from ONNX by dlc import").append(g.getName().isEmpty() ? "" : " (graph " + g.getName() + ")")
                .append(", opset ").append(opset).append(".\n# Weights: the safetensors checkpoint written beside this file (dlc run/compile --weights).\n\n");
        if (helpers.contains("batch_norm_inference"))
            sb.append("""
                    # inference-form batch normalization over axis 1 (ONNX BatchNormalization)
                    def batch_norm_inference(x, scale, bias, mean, var, eps: float) {
                      c = [x.shape[1]] + [1] * (x.rank - 2)
                      (x - reshape(mean, c)) * reshape(scale * rsqrt(var + eps), c) + reshape(bias, c)
                    }

                    """);
        if (helpers.contains("layer_norm_inference"))
            sb.append("""
                    # layer normalization over the trailing axes (ONNX LayerNormalization)
                    def layer_norm_inference(x, scale, bias, axes, eps: float) {
                      d = x - mean(x, axis=axes, keepdims=true)
                      d * rsqrt(mean(d * d, axis=axes, keepdims=true) + eps) * scale + bias
                    }

                    """);
        sb.append("model ").append(modelName).append(" {\n");
        for (String s : inputs) sb.append("  ").append(s).append('\n');
        for (String s : params) sb.append("  ").append(s).append('\n');
        for (String s : body) sb.append("  ").append(s).append('\n');
        for (String s : outs) sb.append("  ").append(s).append('\n');
        return sb.append("}\n").toString();
    }

    private TensorType inputType(ValueInfoProto in) {
        if (!in.hasType() || !in.getType().hasTensorType())
            throw new OnnxException("graph input '" + in.getName() + "' is not a tensor");
        TypeProto.Tensor tt = in.getType().getTensorType();
        DType d = OnnxImporter.dtype(tt.getElemType(), "graph input '" + in.getName() + "'");
        if (!tt.hasShape()) throw new OnnxException("graph input '" + in.getName() + "' has no shape (not even its rank)");
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension dim : tt.getShape().getDimList()) {
            if (dim.hasDimValue() && dim.getDimValue() >= 0) dims.add(Dim.of(dim.getDimValue()));
            else {
                String p = dim.hasDimParam() && !dim.getDimParam().isEmpty() ? dim.getDimParam() : null;
                String sym = p != null ? symbols.computeIfAbsent(p, names::fresh) : names.fresh("N");
                dims.add(Dim.sym(sym));
            }
        }
        return new TensorType(d, new Shape(dims));
    }

    // ---- values ---------------------------------------------------------------------------------

    private static K known(Tensor t, String onnxName) {
        if (t.dtype().isInteger() || !t.dtype().isFloating() && t.dtype() != DType.BOOL) {
            Dim[] ints = new Dim[t.size()];
            for (int i = 0; i < ints.length; i++) ints[i] = Dim.of((long) t.data()[i]);
            return new K(t.dtype(), t.shape(), null, ints, onnxName);
        }
        return new K(t.dtype(), t.shape(), t.data(), null, onnxName);
    }

    private static K ints(DType d, int[] shape, Dim... v) { return new K(d, shape, null, v, null); }

    private Imported value(int i) {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) return null;
        Imported v = lookup(node.getInput(i));
        if (v == null) throw fail("input '" + node.getInput(i) + "' is computed by no earlier node");
        return v;
    }

    private K knownInput(int i, String what) {
        Imported v = value(i);
        if (v == null) return null;
        if (v instanceof K k) return k;
        throw fail(what + " must be known when the model is imported, but it is computed at run time");
    }

    private T tensor(int i) {
        Imported v = value(i);
        if (v == null) throw fail("operand " + i + " is missing");
        return v instanceof T t ? t : materialize((K) v, node.getInput(i));
    }

    private T tensor(String onnxName) {
        Imported v = lookup(onnxName);
        if (v == null) throw fail("the value '" + onnxName + "' is computed by no node");
        return v instanceof T t ? t : materialize((K) v, onnxName);
    }

    /** A known value as a tensor of the model: initializers and large constants become params, small constants literals. */
    private T materialize(K k, String onnxName) {
        TensorType type = new TensorType(k.dtype(), OnnxImporter.shape(k.shape()));
        if (k.isInteger()) for (Dim d : k.ints()) if (!d.isConst())
            throw fail("the value '" + onnxName + "' holds the symbolic size " + d + " and is used as a tensor, which dlc import cannot express");
        T t;
        if (k.onnxName() != null || k.numel() > 64) {
            String name = names.of(k.onnxName() != null ? k.onnxName() : onnxName);
            double[] data = new double[k.numel()];
            for (int i = 0; i < data.length; i++) data[i] = k.num(i);
            weights.put(name, new Tensor(k.dtype(), k.shape(), data));
            params.add("param " + name + ": " + OnnxImporter.typeText(type));
            t = new T(name, type);
        } else if (k.shape().length == 0) {
            t = new T("full([], " + literal(k, 0) + ", dtype=" + k.dtype().text() + ")", type);
        } else {
            StringBuilder sb = new StringBuilder("constant(");
            nested(sb, k, 0, 0);
            t = new T(sb.append(", dtype=").append(k.dtype().text()).append(")").toString(), type);
        }
        env.put(onnxName, t);
        return t;
    }

    private static int nested(StringBuilder sb, K k, int axis, int offset) {
        if (axis == k.shape().length) {
            sb.append(literal(k, offset));
            return offset + 1;
        }
        sb.append('[');
        for (int i = 0; i < k.shape()[axis]; i++) {
            if (i > 0) sb.append(", ");
            offset = nested(sb, k, axis + 1, offset);
        }
        sb.append(']');
        return offset;
    }

    private static String literal(K k, int i) {
        if (k.isInteger()) return Long.toString(k.ints()[i].value());
        if (k.dtype() == DType.BOOL) return k.nums()[i] != 0 ? "true" : "false";
        return number(k.nums()[i], k.dtype());
    }

    /** A float literal the .dl lexer reads back to the same value at the dtype's precision. */
    static String number(double v, DType d) {
        if (Double.isNaN(v)) return "(0.0 / 0.0)";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String s = d == DType.F64 ? Double.toString(v) : Float.toString((float) v);
        s = s.replace("E", "e");
        if (!s.contains(".") && !s.contains("e")) s += ".0";
        if (s.contains("e") && !s.contains(".")) s = s.replace("e", ".0e");
        return s;
    }

    /** Writes one statement computing the node's output {@code i}; a graph output is written as {@code output NAME = ...}. */
    private T emit(int i, String expr, TensorType type) {
        String onnx = node.getOutput(i);
        String name = names.of(onnx);
        if (outputNames.contains(onnx)) {
            body.add("output " + name + " = " + expr);
            emittedOutputs.add(onnx);
        } else body.add(name + " = " + expr);
        T t = new T(name, type);
        env.put(onnx, t);
        return t;
    }

    private void put(int i, Imported v) { env.put(node.getOutput(i), v); }

    private OnnxException fail(String why) {
        String where = node == null ? "" : node.getOpType() + " node" + (node.getName().isEmpty() ? "" : " '" + node.getName() + "'")
                + (node.getOutputCount() > 0 ? " (output '" + node.getOutput(0) + "')" : "") + ": ";
        return new OnnxException(where + why);
    }

    private static TensorType infer(OpDef op, Attrs a, TensorType... in) {
        return op.infer(List.of(in), a, List.of()).get(0);
    }

    // ---- attributes -----------------------------------------------------------------------------

    private AttributeProto attr(String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private long intAttr(String name, long dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getI();
    }

    private double floatAttr(String name, double dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getF();
    }

    private long[] intsAttr(String name) {
        AttributeProto a = attr(name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private String stringAttr(String name, String dflt) {
        AttributeProto a = attr(name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /** Axes from an attribute (older opsets) or from input {@code i} (newer ones), or null when neither is given. */
    private long[] axes(int i) {
        long[] a = intsAttr("axes");
        if (a != null) return a;
        K k = knownInput(i, "the axes");
        return k == null ? null : k.longs("the axes");
    }

    private static int axis(long a, int rank) {
        long n = a < 0 ? a + rank : a;
        if (n < 0 || n >= rank) throw new IllegalArgumentException("axis " + a + " is out of range for rank " + rank);
        return (int) n;
    }

    private static String list(long... v) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (long x : v) j.add(Long.toString(x));
        return j.toString();
    }

    private static String tuple(long... v) {
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (long x : v) j.add(Long.toString(x));
        return j.toString();
    }

    private static String dims(List<Dim> d) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (Dim x : d) j.add(x.toString());
        return j.toString();
    }

    // ---- ops ------------------------------------------------------------------------------------

    private void convert(NodeProto n) {
        String op = n.getOpType();
        if (UNARY.containsKey(op)) {
            if (value(0) instanceof K k && k.isInteger() && op.equals("Neg")) { put(0, ints(k.dtype(), k.shape(), map(k.ints(), Dim::negate))); return; }
            T x = tensor(0);
            String arg = x.expr().startsWith("(") && x.expr().endsWith(")") ? x.expr().substring(1, x.expr().length() - 1) : x.expr();
            emit(0, UNARY.get(op).name() + "(" + arg + ")", infer(UNARY.get(op), Attrs.EMPTY, x.type()));
            return;
        }
        if (BINARY.containsKey(op)) { binary(op); return; }
        switch (op) {
            case "Identity", "Dropout" -> {
                if (op.equals("Dropout") && n.getOutputCount() > 1 && uses.containsKey(n.getOutput(1)))
                    throw fail("the dropout mask is used, but dlc imports dropout as the identity (inference)");
                Imported v = value(0);
                // a new name for the same value: a statement only where the graph's output needs its name
                if (v instanceof T t && outputNames.contains(node.getOutput(0))) emit(0, t.expr(), t.type());
                else put(0, v);
            }
            case "Constant" -> put(0, constant());
            case "Shape" -> {
                TensorType t = typeOf(0);
                int r = t.rank();
                long st = intAttr("start", 0), en = intAttr("end", r);
                int s = (int) Math.max(0, Math.min(r, st < 0 ? st + r : st)), e = (int) Math.max(0, Math.min(r, en < 0 ? en + r : en));
                List<Dim> d = t.shape().dims().subList(s, Math.max(s, e));
                put(0, ints(DType.I64, new int[]{d.size()}, d.toArray(Dim[]::new)));
            }
            case "Size" -> put(0, ints(DType.I64, new int[0], typeOf(0).shape().numel()));
            case "Cast" -> cast();
            case "Not" -> { T x = tensor(0); emit(0, "(not " + x.expr() + ")", x.type()); }
            case "Ceil" -> { T x = tensor(0); emit(0, "-floor(-" + x.expr() + ")", x.type()); }
            case "Reciprocal" -> { T x = tensor(0); emit(0, "1.0 / " + x.expr(), x.type()); }
            case "Softplus" -> { T x = tensor(0); emit(0, "softplus(" + x.expr() + ")", x.type()); }
            case "LeakyRelu" -> { T x = tensor(0); emit(0, "leaky_relu(" + x.expr() + ", " + number(floatAttr("alpha", 0.01), DType.F32) + ")", x.type()); }
            case "Elu" -> { T x = tensor(0); emit(0, "elu(" + x.expr() + ", " + number(floatAttr("alpha", 1.0), DType.F32) + ")", x.type()); }
            case "HardSigmoid" -> {
                T x = tensor(0);
                emit(0, "clamp(" + x.expr() + " * " + number(floatAttr("alpha", 0.2), DType.F32) + " + " + number(floatAttr("beta", 0.5), DType.F32)
                        + ", 0.0, 1.0)", x.type());
            }
            case "Clip" -> clip();
            case "Where" -> {
                T c = tensor(0), a = tensor(1), b = tensor(2);
                emit(0, "where(" + c.expr() + ", " + a.expr() + ", " + b.expr() + ")", infer(Ops.WHERE, Attrs.EMPTY, c.type(), a.type(), b.type()));
            }
            case "MatMul" -> {
                T a = tensor(0), b = tensor(1);
                String e = a.expr() + " @ " + b.expr();
                TensorType t = infer(Ops.MATMUL, Attrs.EMPTY, a.type(), b.type());
                // a dense layer's product, read only by its bias addition: one expression, x @ w + b
                if (onlyReadBy(node.getOutput(0), "Add")) put(0, new T(e, t));
                else emit(0, e, t);
            }
            case "Gemm" -> gemm();
            case "Conv", "ConvTranspose" -> conv(op.equals("ConvTranspose"));
            case "MaxPool", "AveragePool" -> pool(op.equals("MaxPool"));
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                T x = tensor(0);
                if (x.type().rank() != 4) throw fail("only 2-D pooling ([N, C, H, W] inputs) is supported, got " + x.type());
                OpDef f = op.equals("GlobalMaxPool") ? Ops.MAX : Ops.MEAN;
                emit(0, f.name() + "(" + x.expr() + ", axis=[2, 3], keepdims=true)", infer(f, Attrs.of("axes", List.of(2L, 3L), "keepdims", true), x.type()));
            }
            case "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin" -> reduce(op);
            case "ArgMax", "ArgMin" -> {
                if (intAttr("select_last_index", 0) != 0) throw fail("select_last_index=1 is not supported (dlc picks the first extremum)");
                T x = tensor(0);
                int a = axis(intAttr("axis", 0), x.type().rank());
                boolean keep = intAttr("keepdims", 1) != 0;
                OpDef f = op.equals("ArgMax") ? Ops.ARGMAX : Ops.ARGMIN;
                emit(0, f.name() + "(" + x.expr() + ", " + a + (keep ? ", keepdims=true" : "") + ")", infer(f, Attrs.of("axis", (long) a, "keepdims", keep), x.type()));
            }
            case "Softmax", "LogSoftmax" -> {
                T x = tensor(0);
                int r = x.type().rank();
                int a = axis(intAttr("axis", opset >= 13 ? -1 : 1), r);
                if (opset < 13 && a != r - 1) throw fail("before opset 13, " + op + " flattens the trailing axes; only axis = rank - 1 is supported");
                emit(0, (op.equals("Softmax") ? "softmax(" : "log_softmax(") + x.expr() + ", axis=" + a + ")", x.type());
            }
            case "Reshape" -> reshape();
            case "Flatten" -> {
                Imported v = value(0);
                List<Dim> d = typeOf(0).shape().dims();
                int a = (int) (intAttr("axis", 1) < 0 ? intAttr("axis", 1) + d.size() : intAttr("axis", 1));
                reshapeTo(v, List.of(new Shape(d.subList(0, a)).numel(), new Shape(d.subList(a, d.size())).numel()));
            }
            case "Transpose" -> {
                T x = tensor(0);
                long[] perm = intsAttr("perm");
                if (perm == null) {
                    perm = new long[x.type().rank()];
                    for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
                }
                emit(0, "permute(" + x.expr() + ", " + list(perm) + ")", infer(Ops.PERMUTE, Attrs.of("perm", perm), x.type()));
            }
            case "Squeeze", "Unsqueeze" -> squeeze(op.equals("Unsqueeze"));
            case "Expand" -> {
                K s = knownInput(1, "Expand's shape");
                if (value(0) instanceof K c && c.numel() == 1 && c.shape().length == 0 && (!c.isInteger() || c.ints()[0].isConst())) {
                    List<Dim> to = Arrays.asList(s.ints()); // a filled tensor
                    emit(0, "full(" + dims(to) + ", " + literal(c, 0) + ", dtype=" + c.dtype().text() + ")", new TensorType(c.dtype(), new Shape(to)));
                    return;
                }
                T x = tensor(0);
                List<Dim> to = broadcast(x.type().shape().dims(), Arrays.asList(s.ints()));
                emit(0, "broadcast_to(" + x.expr() + ", " + dims(to) + ")", infer(Ops.BROADCAST_TO, Attrs.of("shape", new Shape(to)), x.type()));
            }
            case "Concat" -> concat();
            case "Split" -> split();
            case "Slice" -> slice();
            case "Gather" -> gather();
            case "Pad" -> pad();
            case "Range" -> range();
            case "ConstantOfShape" -> {
                K s = knownInput(0, "ConstantOfShape's shape");
                AttributeProto v = attr("value");
                Tensor fill = v == null ? Tensor.scalar(DType.F32, 0) : OnnxTensors.fromProto(v.getT());
                List<Dim> d = Arrays.asList(s.ints());
                emit(0, "full(" + dims(d) + ", " + literal(known(fill, null), 0) + ", dtype=" + fill.dtype().text() + ")",
                        new TensorType(fill.dtype(), new Shape(d)));
            }
            case "Resize" -> resize();
            case "Scan" -> scan();
            case "BatchNormalization" -> batchNorm();
            case "LayerNormalization" -> layerNorm();
            default -> throw fail("not supported");
        }
    }

    private TensorType typeOf(int i) {
        Imported v = value(i);
        if (v instanceof T t) return t.type();
        K k = (K) v;
        return new TensorType(k.dtype(), OnnxImporter.shape(k.shape()));
    }

    private static Dim[] map(Dim[] in, java.util.function.UnaryOperator<Dim> f) {
        Dim[] out = new Dim[in.length];
        for (int i = 0; i < in.length; i++) out[i] = f.apply(in[i]);
        return out;
    }

    private K constant() {
        AttributeProto a = node.getAttributeCount() == 1 ? node.getAttribute(0) : null;
        if (a == null) throw fail("a Constant needs exactly one value attribute");
        return switch (a.getName()) {
            case "value" -> known(OnnxTensors.fromProto(a.getT()), null);
            case "value_float" -> known(Tensor.scalar(DType.F32, a.getF()), null);
            case "value_int" -> known(Tensor.scalar(DType.I64, a.getI()), null);
            case "value_floats" -> known(new Tensor(DType.F32, new int[]{a.getFloatsCount()},
                    a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray()), null);
            case "value_ints" -> known(new Tensor(DType.I64, new int[]{a.getIntsCount()},
                    a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray()), null);
            default -> throw fail("Constant attribute " + a.getName() + " is not supported");
        };
    }

    private void cast() {
        DType to = OnnxImporter.dtype((int) intAttr("to", 0), "Cast's target type");
        Imported v = value(0);
        if (v instanceof K k && k.isInteger() && to.isInteger()) { put(0, ints(to, k.shape(), k.ints())); return; }
        if (v instanceof K k && k.onnxName() == null && k.numel() <= 64 && !(k.isInteger() && Arrays.stream(k.ints()).anyMatch(d -> !d.isConst()))) {
            double[] data = new double[k.numel()];
            for (int i = 0; i < data.length; i++) data[i] = to.isInteger() ? (long) k.num(i) : to == DType.BOOL ? (k.num(i) != 0 ? 1 : 0) : k.num(i);
            put(0, known(new Tensor(to, k.shape(), data), null));
            return;
        }
        T x = tensor(0);
        emit(0, "cast(" + x.expr() + ", " + to.text() + ")", x.type().withDType(to));
    }

    /** A known scalar (or all-ones-shaped single value) operand that can be written as a literal beside a tensor of rank >= its rank. */
    private static boolean literalOperand(Imported v, TensorType other) {
        return v instanceof K k && k.numel() == 1 && k.shape().length <= other.rank() && k.onnxName() == null
                && (!k.isInteger() || k.ints()[0].isConst()) && k.dtype() == other.dtype() && k.dtype() != DType.BOOL;
    }

    private void binary(String op) {
        Bin m = BINARY.get(op);
        Imported a = value(0), b = value(1);
        if (a instanceof K ka && b instanceof K kb && ka.isInteger() && kb.isInteger() && foldInts(op, ka, kb)) return;
        // ONNX's integer Div truncates and Mod with fmod=1 keeps the dividend's sign: dlc's trunc_div and trunc_mod
        if (op.equals("Mod") && intAttr("fmod", 0) != 0) m = new Bin(Ops.TRUNC_MOD);
        if (op.equals("Div") && typeOf(0).dtype().isInteger()) m = new Bin(Ops.TRUNC_DIV);
        String ea, eb;
        TensorType ta, tb;
        if (a instanceof T t1 && literalOperand(b, t1.type())) {
            ea = t1.expr(); ta = t1.type(); eb = literal((K) b, 0); tb = TensorType.scalar(ta.dtype());
        } else if (b instanceof T t2 && literalOperand(a, t2.type())) {
            eb = t2.expr(); tb = t2.type(); ea = literal((K) a, 0); ta = TensorType.scalar(tb.dtype());
        } else {
            T t1 = tensor(0), t2 = tensor(1);
            ea = t1.expr(); eb = t2.expr(); ta = t1.type(); tb = t2.type();
        }
        String expr = Character.isLetter(m.dl().charAt(0)) && !m.dl().equals("and") && !m.dl().equals("or")
                ? m.dl() + "(" + ea + ", " + eb + ")" : paren(ea) + " " + m.dl() + " " + paren(eb);
        TensorType type = infer(m.op(), Attrs.EMPTY, ta, tb);
        boolean dense = op.equals("Add") && (ea.contains(" @ ") || eb.contains(" @ "));
        // x @ w + b read only by an activation: one statement, relu(x @ w + b), as the .dl layer would read
        if (dense && ACTIVATIONS.stream().anyMatch(f -> onlyReadBy(node.getOutput(0), f))) put(0, new T("(" + expr + ")", type));
        else emit(0, expr, type);
    }

    private static final List<String> ACTIVATIONS = List.of("Relu", "Tanh", "Sigmoid");

    /** True when one node of type {@code op} reads the value and nothing else does (nor is it a graph output). */
    private boolean onlyReadBy(String value, String op) {
        return uses.getOrDefault(value, 0) == 1 && op.equals(firstUser.get(value)) && !outputNames.contains(value);
    }

    private static String paren(String e) { return e.startsWith("-") ? "(" + e + ")" : e; }

    /** Integer arithmetic on known values (shape computations), elementwise with broadcasting of single values. */
    private boolean foldInts(String op, K a, K b) {
        if (a.numel() != b.numel() && a.numel() != 1 && b.numel() != 1) return false;
        int n = Math.max(a.numel(), b.numel());
        int[] shape = a.numel() >= b.numel() ? a.shape() : b.shape();
        Dim[] out = new Dim[n];
        for (int i = 0; i < n; i++) {
            Dim x = a.ints()[a.numel() == 1 ? 0 : i], y = b.ints()[b.numel() == 1 ? 0 : i];
            switch (op) {
                case "Add" -> out[i] = x.plus(y);
                case "Sub" -> out[i] = x.minus(y);
                case "Mul" -> out[i] = x.times(y);
                case "Div" -> {
                    if (y.isConst() && y.value() == 0) return false;
                    out[i] = x.floorDiv(y);
                }
                default -> { return false; }
            }
        }
        put(0, ints(a.dtype(), shape, out));
        return true;
    }

    private void clip() {
        T x = tensor(0);
        Double lo, hi;
        if (opset < 11) {
            lo = attr("min") == null ? null : floatAttr("min", 0);
            hi = attr("max") == null ? null : floatAttr("max", 0);
        } else {
            K kl = knownInput(1, "Clip's min"), kh = knownInput(2, "Clip's max");
            lo = kl == null ? null : kl.num(0);
            hi = kh == null ? null : kh.num(0);
        }
        DType d = x.type().dtype();
        String e = x.expr();
        if (lo != null) e = "maximum(" + e + ", " + num(lo, d) + ")";
        if (hi != null) e = "minimum(" + e + ", " + num(hi, d) + ")";
        emit(0, e, x.type());
    }

    private static String num(double v, DType d) { return d.isFloating() ? number(v, d) : Long.toString((long) v); }

    /** Gemm as {@code a @ b + c} (transposes as {@code .T}, alpha and beta as factors); followed only by a Relu it is one statement, {@code relu(a @ b + c)}. */
    private void gemm() {
        T a = tensor(0), b = tensor(1);
        String ea = a.expr() + (intAttr("transA", 0) != 0 ? ".T" : ""), eb = b.expr() + (intAttr("transB", 0) != 0 ? ".T" : "");
        TensorType ta = intAttr("transA", 0) != 0 ? swapped(a.type()) : a.type(), tb = intAttr("transB", 0) != 0 ? swapped(b.type()) : b.type();
        TensorType t = infer(Ops.MATMUL, Attrs.EMPTY, ta, tb);
        double alpha = floatAttr("alpha", 1), beta = floatAttr("beta", 1);
        String e = ea + " @ " + eb + (alpha != 1 ? " * " + number(alpha, t.dtype()) : "");
        Imported c = value(2);
        if (c != null && beta != 0) {
            String ec;
            if (literalOperand(c, t)) ec = literal((K) c, 0);
            else {
                T tc = tensor(2);
                ec = tc.expr();
                t = infer(Ops.ADD, Attrs.EMPTY, t, tc.type());
            }
            e += " + " + ec + (beta != 1 ? " * " + number(beta, t.dtype()) : "");
        }
        String out = node.getOutput(0);
        if (onlyReadBy(out, "Relu")) put(0, new T("(" + e + ")", t));
        else emit(0, e, t);
    }

    private static TensorType swapped(TensorType t) {
        List<Dim> d = new ArrayList<>(t.shape().dims());
        int r = d.size();
        Collections.swap(d, r - 2, r - 1);
        return t.withShape(new Shape(d));
    }

    /** ONNX pads [x1_begin, x2_begin, x1_end, x2_end] (or auto_pad) as dlc's (top, bottom, left, right). */
    private long[] padding(TensorType x, long[] kernel, long[] stride, long[] dil) {
        String auto = stringAttr("auto_pad", "NOTSET");
        long[] p = intsAttr("pads");
        if (auto.equals("NOTSET")) return p == null ? new long[4] : new long[]{p[0], p[2], p[1], p[3]};
        if (auto.equals("VALID")) return new long[4];
        long[] out = new long[4];
        for (int i = 0; i < 2; i++) {
            Dim in = x.shape().dim(2 + i);
            long total;
            if (stride[i] == 1) total = dil[i] * (kernel[i] - 1);
            else if (in.isConst()) {
                long o = (in.value() + stride[i] - 1) / stride[i];
                total = Math.max(0, (o - 1) * stride[i] + dil[i] * (kernel[i] - 1) + 1 - in.value());
            } else throw fail("auto_pad " + auto + " with stride " + stride[i] + " needs a known input size, got " + x);
            long small = total / 2, large = total - small;
            out[2 * i] = auto.equals("SAME_LOWER") ? large : small;
            out[2 * i + 1] = auto.equals("SAME_LOWER") ? small : large;
        }
        return out;
    }

    private static long[] or(long[] v, long... dflt) { return v != null ? v : dflt; }

    private void conv(boolean transpose) {
        T x = tensor(0), w = tensor(1);
        if (x.type().rank() != 4) throw fail("only 2-D convolutions ([N, C, H, W] inputs) are supported, got " + x.type());
        if (attr("output_shape") != null) throw fail("output_shape is not supported; give pads and output_padding");
        long[] stride = or(intsAttr("strides"), 1, 1), dil = or(intsAttr("dilations"), 1, 1);
        long[] kernel = {w.type().shape().dim(2).value(), w.type().shape().dim(3).value()};
        if (transpose && !stringAttr("auto_pad", "NOTSET").equals("NOTSET") && !stringAttr("auto_pad", "").equals("VALID"))
            throw fail("auto_pad " + stringAttr("auto_pad", "") + " is not supported for ConvTranspose");
        long[] pad = padding(x.type(), kernel, stride, dil);
        long group = intAttr("group", 1);
        long[] outPad = or(intsAttr("output_padding"), 0, 0);
        StringBuilder e = new StringBuilder(transpose ? "conv_transpose2d(" : "conv2d(").append(x.expr()).append(", ").append(w.expr());
        if (stride[0] != 1 || stride[1] != 1) e.append(", stride=").append(tuple(stride));
        if (Arrays.stream(pad).anyMatch(v -> v != 0)) e.append(", padding=").append(tuple(pad));
        if (transpose && (outPad[0] != 0 || outPad[1] != 0)) e.append(", output_padding=").append(tuple(outPad));
        if (dil[0] != 1 || dil[1] != 1) e.append(", dilation=").append(tuple(dil));
        if (group != 1) e.append(", groups=").append(group);
        e.append(")");
        Attrs a = Attrs.of("stride", stride, "padding", pad, "dilation", dil, "groups", group);
        if (transpose) a = a.with("output_padding", outPad);
        TensorType t = infer(transpose ? Ops.CONV_TRANSPOSE2D : Ops.CONV2D, a, x.type(), w.type());
        if (value(2) != null) {
            T b = tensor(2);
            e.append(" + reshape(").append(b.expr()).append(", [").append(b.type().shape().dim(0)).append(", 1, 1])");
        }
        emit(0, e.toString(), t);
    }

    private void pool(boolean max) {
        if (node.getOutputCount() > 1 && uses.containsKey(node.getOutput(1))) throw fail("the Indices output is not supported");
        T x = tensor(0);
        if (x.type().rank() != 4) throw fail("only 2-D pooling ([N, C, H, W] inputs) is supported, got " + x.type());
        if (intAttr("ceil_mode", 0) != 0) throw fail("ceil_mode=1 is not supported (dlc pools with floor division)");
        long[] dil = or(intsAttr("dilations"), 1, 1);
        if (dil[0] != 1 || dil[1] != 1) throw fail("dilated pooling is not supported");
        long[] kernel = intsAttr("kernel_shape"), stride = or(intsAttr("strides"), 1, 1);
        long[] pad = padding(x.type(), kernel, stride, dil);
        boolean include = intAttr("count_include_pad", 0) != 0;
        StringBuilder e = new StringBuilder(max ? "max_pool2d(" : "avg_pool2d(").append(x.expr()).append(", ").append(tuple(kernel));
        e.append(", stride=").append(tuple(stride));
        if (Arrays.stream(pad).anyMatch(v -> v != 0)) e.append(", padding=").append(tuple(pad));
        if (!max && !include) e.append(", count_include_pad=false");
        e.append(")");
        Attrs a = Attrs.of("kernel", kernel, "stride", stride, "padding", pad);
        if (!max) a = a.with("count_include_pad", include);
        emit(0, e.toString(), infer(max ? Ops.MAX_POOL2D : Ops.AVG_POOL2D, a, x.type()));
    }

    private void reduce(String op) {
        T x = tensor(0);
        int r = x.type().rank();
        boolean axesInput = op.equals("ReduceSum") ? opset >= 13 : opset >= 18;
        long[] given = axesInput ? (value(1) == null ? null : knownInput(1, "the axes").longs("the axes")) : intsAttr("axes");
        boolean keep = intAttr("keepdims", 1) != 0;
        if ((given == null || given.length == 0) && intAttr("noop_with_empty_axes", 0) != 0) {
            emit(0, x.expr(), x.type());
            return;
        }
        long[] axes;
        if (given == null || given.length == 0) {
            axes = new long[r];
            for (int i = 0; i < r; i++) axes[i] = i;
        } else axes = Arrays.stream(given).map(a -> axis(a, r)).sorted().toArray();
        OpDef f = switch (op) { case "ReduceSum" -> Ops.SUM; case "ReduceMean" -> Ops.MEAN; case "ReduceMax" -> Ops.MAX; default -> Ops.MIN; };
        emit(0, f.name() + "(" + x.expr() + ", axis=" + list(axes) + (keep ? ", keepdims=true" : "") + ")",
                infer(f, Attrs.of("axes", axes, "keepdims", keep), x.type()));
    }

    private void reshape() {
        K s = knownInput(1, "Reshape's shape");
        List<Dim> in = typeOf(0).shape().dims();
        boolean allowZero = intAttr("allowzero", 0) != 0;
        List<Dim> out = new ArrayList<>();
        int infer = -1;
        for (int i = 0; i < s.ints().length; i++) {
            Dim d = s.ints()[i];
            if (d.isConst() && d.value() == -1) { infer = i; out.add(null); }
            else if (d.isConst() && d.value() == 0 && !allowZero) out.add(in.get(i));
            else out.add(d);
        }
        if (infer >= 0) {
            Dim known = Dim.of(1);
            for (Dim d : out) if (d != null) known = known.times(d);
            out.set(infer, new Shape(in).numel().floorDiv(known));
        }
        reshapeTo(value(0), out);
    }

    /** x reshaped; a known value stays known. */
    private void reshapeTo(Imported v, List<Dim> to) {
        Shape target = new Shape(to);
        if (v instanceof K k && target.isConcrete()) {
            int[] shape = target.eval(Map.of());
            put(0, new K(k.dtype(), shape, k.nums(), k.ints(), null));
            return;
        }
        T x = v instanceof T t ? t : tensor(0);
        emit(0, "reshape(" + x.expr() + ", " + dims(to) + ")", infer(Ops.RESHAPE, Attrs.of("shape", target), x.type()));
    }

    private void squeeze(boolean unsqueeze) {
        List<Dim> in = new ArrayList<>(typeOf(0).shape().dims());
        long[] axes = axes(1);
        List<Dim> out;
        if (unsqueeze) {
            int r = in.size() + axes.length;
            long[] norm = Arrays.stream(axes).map(a -> axis(a, r)).sorted().toArray();
            out = in;
            for (long a : norm) out.add((int) a, Dim.of(1));
        } else {
            Set<Integer> drop = new HashSet<>();
            if (axes == null || axes.length == 0) {
                for (int i = 0; i < in.size(); i++) if (in.get(i).equals(Dim.of(1))) drop.add(i);
            } else for (long a : axes) drop.add(axis(a, in.size()));
            out = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) if (!drop.contains(i)) out.add(in.get(i));
        }
        reshapeTo(value(0), out);
    }

    private static List<Dim> broadcast(List<Dim> a, List<Dim> b) {
        int r = Math.max(a.size(), b.size());
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            Dim x = i - (r - a.size()) >= 0 ? a.get(i - (r - a.size())) : Dim.of(1);
            Dim y = i - (r - b.size()) >= 0 ? b.get(i - (r - b.size())) : Dim.of(1);
            out.add(x.equals(Dim.of(1)) ? y : x);
        }
        return out;
    }

    private void concat() {
        int n = node.getInputCount();
        long ax = intAttr("axis", 0);
        boolean allKnown = true;
        for (int i = 0; i < n; i++) allKnown &= value(i) instanceof K k && k.isInteger() && k.shape().length == 1;
        if (allKnown) {
            List<Dim> all = new ArrayList<>();
            for (int i = 0; i < n; i++) all.addAll(Arrays.asList(((K) value(i)).ints()));
            put(0, ints(((K) value(0)).dtype(), new int[]{all.size()}, all.toArray(Dim[]::new)));
            return;
        }
        List<T> xs = new ArrayList<>();
        for (int i = 0; i < n; i++) xs.add(tensor(i));
        int a = axis(ax, xs.get(0).type().rank());
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (T x : xs) j.add(x.expr());
        emit(0, "concat(" + j + ", axis=" + a + ")", infer(Ops.CONCAT, Attrs.of("axis", (long) a), xs.stream().map(T::type).toArray(TensorType[]::new)));
    }

    private void split() {
        T x = tensor(0);
        int a = axis(intAttr("axis", 0), x.type().rank());
        long[] sizes = intsAttr("split");
        if (sizes == null && value(1) != null) sizes = knownInput(1, "Split's sizes").longs("Split's sizes");
        int parts = node.getOutputCount();
        Dim total = x.type().shape().dim(a);
        if (sizes == null) {
            if (!total.isConst()) throw fail("splitting the symbolic axis " + total + " into equal parts is not supported");
            long each = (total.value() + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.min(each, total.value() - each * i);
        }
        List<TensorType> types = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            List<Dim> d = new ArrayList<>(x.type().shape().dims());
            d.set(a, Dim.of(sizes[i]));
            types.add(x.type().withShape(new Shape(d)));
        }
        body.add(String.join(", ", multiOutputs(types)) + " = split(" + x.expr() + ", " + list(sizes) + ", axis=" + a + ")");
        outputsOfMulti();
    }

    private static final long BIG = Long.MAX_VALUE / 4;

    private void slice() {
        Imported v = value(0);
        TensorType t = typeOf(0);
        int r = t.rank();
        Dim[] starts, ends;
        long[] axes, steps;
        if (opset < 10) {
            starts = dimsOf(intsAttr("starts"));
            ends = dimsOf(intsAttr("ends"));
            axes = intsAttr("axes");
            steps = null;
        } else {
            starts = knownInput(1, "Slice's starts").ints();
            ends = knownInput(2, "Slice's ends").ints();
            axes = value(3) == null ? null : knownInput(3, "Slice's axes").longs("Slice's axes");
            steps = value(4) == null ? null : knownInput(4, "Slice's steps").longs("Slice's steps");
        }
        if (v instanceof K k && k.isInteger() && r == 1 && starts.length == 1) { // shape arithmetic: a piece of a known vector
            int n = k.shape()[0];
            long step = steps == null ? 1 : steps[0];
            long st = starts[0].value(), en = ends[0].value();
            st = st < 0 ? st + n : st;
            en = en < 0 ? en + n : en;
            List<Dim> piece = new ArrayList<>();
            if (step > 0) for (long i = Math.max(0, st); i < Math.min(n, en); i += step) piece.add(k.ints()[(int) i]);
            else for (long i = Math.min(n - 1, st); i > Math.max(-1, en); i += step) piece.add(k.ints()[(int) i]);
            put(0, ints(k.dtype(), new int[]{piece.size()}, piece.toArray(Dim[]::new)));
            return;
        }
        String[] idx = new String[r];
        Arrays.fill(idx, ":");
        List<Dim> out = new ArrayList<>(t.shape().dims());
        for (int i = 0; i < starts.length; i++) {
            int a = axis(axes == null ? i : axes[i], r);
            long step = steps == null ? 1 : steps[i];
            Dim dim = t.shape().dim(a), st = starts[i], en = ends[i];
            if (step < 0) {
                boolean fromLast = st.isConst() && (st.value() == -1 || dim.isConst() && st.value() >= dim.value() - 1);
                boolean toFirst = en.isConst() && (en.value() <= -BIG || dim.isConst() && en.value() < -dim.value());
                if (!fromLast || !toFirst) throw fail("a negative step is supported only over a whole axis");
                idx[a] = "::" + step;
                if (step != -1) out.set(a, dim.plus(-step - 1).floorDiv(Dim.of(-step)));
                continue;
            }
            boolean toEnd = en.isConst() && (en.value() >= BIG || dim.isConst() && en.value() >= dim.value()) || en.equals(dim);
            Dim from = bound(st, dim), to = toEnd ? dim : bound(en, dim);
            out.set(a, to.minus(from).plus(step - 1).floorDiv(Dim.of(step)));
            String s0 = st.isConst() && st.value() == 0 ? "" : from.toString();
            idx[a] = s0 + ":" + (toEnd ? "" : to.toString()) + (step != 1 ? ":" + step : "");
        }
        T x = v instanceof T tt ? tt : tensor(0);
        emit(0, x.expr() + "[" + String.join(", ", idx) + "]", t.withShape(new Shape(out)));
    }

    private static Dim[] dimsOf(long[] v) {
        Dim[] out = new Dim[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Dim.of(v[i]);
        return out;
    }

    /** A slice bound in [0, dim]: a negative number counts from the end; clamped where the dim is known. */
    private static Dim bound(Dim b, Dim dim) {
        if (!b.isConst()) return b;
        long v = b.value();
        if (dim.isConst()) {
            long n = dim.value();
            return Dim.of(Math.max(0, Math.min(n, v < 0 ? v + n : v)));
        }
        return v < 0 ? dim.plus(v) : Dim.of(v);
    }

    private void gather() {
        Imported data = value(0), idx = value(1);
        TensorType t = typeOf(0);
        int a = axis(intAttr("axis", 0), t.rank());
        if (data instanceof K kd && kd.isInteger() && kd.shape().length == 1 && idx instanceof K ki) {
            long[] at = ki.longs("Gather's indices");
            Dim[] out = new Dim[at.length];
            for (int i = 0; i < at.length; i++) out[i] = kd.ints()[(int) (at[i] < 0 ? at[i] + kd.ints().length : at[i])];
            put(0, ints(kd.dtype(), ki.shape(), out));
            return;
        }
        T x = tensor(0);
        if (idx instanceof K ki && ki.isInteger() && ki.shape().length == 0) {
            long i = ki.longs("Gather's index")[0];
            Dim dim = t.shape().dim(a);
            if (i < 0 && dim.isConst()) i += dim.value();
            String[] sel = new String[a + 1];
            Arrays.fill(sel, ":");
            sel[a] = Long.toString(i);
            List<Dim> out = new ArrayList<>(t.shape().dims());
            out.remove(a);
            emit(0, x.expr() + "[" + String.join(", ", sel) + "]", t.withShape(new Shape(out)));
            return;
        }
        T ix = tensor(1);
        emit(0, "gather(" + x.expr() + ", " + ix.expr() + ", axis=" + a + ")", infer(Ops.GATHER, Attrs.of("axis", (long) a), x.type(), ix.type()));
    }

    private void pad() {
        if (!stringAttr("mode", "constant").equals("constant")) throw fail("only constant padding is supported, got mode " + stringAttr("mode", ""));
        T x = tensor(0);
        int r = x.type().rank();
        long[] pads;
        double value = 0;
        if (opset < 11) {
            pads = intsAttr("pads");
            value = floatAttr("value", 0);
        } else {
            pads = knownInput(1, "Pad's pads").longs("Pad's pads");
            K c = knownInput(2, "Pad's value");
            if (c != null) value = c.num(0);
            if (value(3) != null) {
                long[] axes = knownInput(3, "Pad's axes").longs("Pad's axes");
                long[] full = new long[2 * r];
                for (int i = 0; i < axes.length; i++) {
                    int a = axis(axes[i], r);
                    full[a] = pads[i];
                    full[a + r] = pads[i + axes.length];
                }
                pads = full;
            }
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0)) throw fail("negative pads (cropping) are not supported");
        StringJoiner j = new StringJoiner(", ", "[", "]");
        long[] low = new long[r], high = new long[r];
        for (int i = 0; i < r; i++) {
            low[i] = pads[i];
            high[i] = pads[i + r];
            j.add("(" + low[i] + ", " + high[i] + ")");
        }
        emit(0, "pad(" + x.expr() + ", " + j + (value != 0 ? ", value=" + num(value, x.type().dtype()) : "") + ")",
                infer(Ops.PAD, Attrs.of("low", low, "high", high, "value", value), x.type()));
    }

    private void range() {
        K start = knownInput(0, "Range's start"), limit = knownInput(1, "Range's limit"), delta = knownInput(2, "Range's delta");
        if (start.isInteger() && start.ints()[0].isConst() && delta.isInteger() && delta.ints()[0].equals(Dim.of(1)) && !limit.ints()[0].isConst()) {
            Dim n = limit.ints()[0].minus(start.ints()[0]);
            String e = "iota([" + n + "], 0, dtype=" + start.dtype().text() + ")" + (start.ints()[0].value() != 0 ? " + " + start.ints()[0].value() : "");
            emit(0, e, new TensorType(start.dtype(), Shape.of(n)));
            return;
        }
        double s = start.num(0), l = limit.num(0), d = delta.num(0);
        int n = (int) Math.max(0, Math.ceil((l - s) / d));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = s + i * d;
        put(0, known(new Tensor(start.dtype(), new int[]{n}, v), null));
    }

    /**
     * ONNX Scan as dlc's scan: state variables are the carries, scan inputs the xs, scan outputs
     * the ys, the body a lambda whose statements are its nodes. dlc scans every x and y along one
     * axis in one direction, so the axes and directions must agree. A scan input the body never
     * reads (a step counter's stand-in) becomes the scan's {@code length}.
     */
    private void scan() {
        if (opset < 9) throw fail("Scan before opset 9 (with sequence_lens) is not supported");
        GraphProto bodyGraph = attr("body").getG();
        int m = (int) intAttr("num_scan_inputs", 0), nIn = node.getInputCount(), n = nIn - m;
        int k = bodyGraph.getOutputCount() - n;
        if (bodyGraph.getInputCount() != n + m || k < 0) throw fail("the body's inputs and outputs do not match the Scan's operands");
        long[] inAxes = or(intsAttr("scan_input_axes"), new long[m]), outAxes = or(intsAttr("scan_output_axes"), new long[k]);
        long[] inDirs = or(intsAttr("scan_input_directions"), new long[m]), outDirs = or(intsAttr("scan_output_directions"), new long[k]);
        Set<Long> axes = new TreeSet<>(), dirs = new TreeSet<>();
        List<T> inits = new ArrayList<>();
        for (int i = 0; i < n; i++) inits.add(tensor(i));
        ImportOps sub = new ImportOps(this, bodyGraph);
        Set<String> bodyReads = new HashSet<>();
        for (NodeProto bn : bodyGraph.getNodeList()) bodyReads.addAll(bn.getInputList());
        for (ValueInfoProto o : bodyGraph.getOutputList()) bodyReads.add(o.getName());
        List<String> carryNames = new ArrayList<>(), stepNames = new ArrayList<>(), xs = new ArrayList<>();
        Dim steps = null;
        for (int i = 0; i < n; i++) {
            String name = names.fresh(bodyGraph.getInput(i).getName());
            sub.env.put(bodyGraph.getInput(i).getName(), new T(name, inits.get(i).type()));
            carryNames.add(name);
        }
        for (int j = 0; j < m; j++) {
            TensorType xt = typeOf(n + j);
            int a = axis(inAxes[j], xt.rank());
            List<Dim> d = new ArrayList<>(xt.shape().dims());
            steps = d.remove(a);
            String bodyName = bodyGraph.getInput(n + j).getName();
            if (!bodyReads.contains(bodyName) && value(n + j) instanceof K) continue; // only counts the steps
            axes.add((long) a);
            dirs.add(inDirs[j]);
            String name = names.fresh(bodyName);
            sub.env.put(bodyName, new T(name, xt.withShape(new Shape(d))));
            stepNames.add(name);
            xs.add(tensor(n + j).expr());
        }
        sub.convertNodes();
        List<String> newCarries = new ArrayList<>(), ys = new ArrayList<>();
        List<TensorType> yTypes = new ArrayList<>();
        for (int i = 0; i < n + k; i++) {
            T v = sub.tensor(bodyGraph.getOutput(i).getName());
            if (i < n) newCarries.add(v.expr());
            else {
                ys.add(v.expr());
                int a = axis(outAxes[i - n], v.type().rank() + 1);
                axes.add((long) a);
                dirs.add(outDirs[i - n]);
                List<Dim> d = new ArrayList<>(v.type().shape().dims());
                d.add(a, steps);
                yTypes.add(v.type().withShape(new Shape(d)));
            }
        }
        if (axes.size() > 1) throw fail("dlc scans every input and output along one axis; this Scan uses axes " + axes);
        if (dirs.size() > 1) throw fail("dlc scans every input and output in one direction; this Scan mixes directions");
        if (n == 0) throw fail("a Scan without state variables is not supported");
        StringBuilder fn = new StringBuilder("fn(").append(group(carryNames));
        if (!stepNames.isEmpty()) fn.append(", ").append(group(stepNames));
        fn.append(") {\n");
        for (String st : sub.body) fn.append("    ").append(st).append('\n');
        fn.append("    (").append(group(newCarries)).append(", ").append(ys.isEmpty() ? "none" : group(ys)).append(")\n  }");
        StringBuilder call = new StringBuilder("scan(").append(fn).append(", ").append(group(inits.stream().map(T::expr).toList()));
        if (!xs.isEmpty()) call.append(", xs=").append(group(xs));
        else call.append(", length=").append(steps);
        long axis = axes.isEmpty() ? 0 : axes.iterator().next();
        if (!xs.isEmpty() || !ys.isEmpty()) call.append(", axis=").append(axis);
        if (!dirs.isEmpty() && dirs.iterator().next() == 1) call.append(", reverse=true");
        call.append(")");
        List<TensorType> types = new ArrayList<>();
        for (T t : inits) types.add(t.type());
        types.addAll(yTypes);
        List<String> vars = multiOutputs(types);
        body.add(group(vars.subList(0, n)) + ", " + (k == 0 ? "_" : group(vars.subList(n, n + k))) + " = " + call);
        outputsOfMulti();
    }

    private final List<String[]> pendingOutputs = new ArrayList<>();

    /**
     * Variable names for a node's several outputs (a Scan's, a Split's), bound to their types;
     * a graph output gets a helper name here and its own name in the {@code output} statement
     * {@link #outputsOfMulti} writes after the node's statement.
     */
    private List<String> multiOutputs(List<TensorType> types) {
        List<String> vars = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            String onnx = i < node.getOutputCount() ? node.getOutput(i) : "";
            if (onnx.isEmpty()) { vars.add(names.fresh("unused")); continue; }
            String name = names.of(onnx);
            if (outputNames.contains(onnx)) {
                String v = names.fresh(name + "_value");
                pendingOutputs.add(new String[]{name, v});
                emittedOutputs.add(onnx);
                vars.add(v);
            } else vars.add(name);
            env.put(onnx, new T(name, types.get(i)));
        }
        return vars;
    }

    private void outputsOfMulti() {
        for (String[] o : pendingOutputs) body.add("output " + o[0] + " = " + o[1]);
        pendingOutputs.clear();
    }

    /** One name as itself, several as a tuple. */
    private static String group(List<String> items) {
        return items.size() == 1 ? items.get(0) : "(" + String.join(", ", items) + ")";
    }

    /** Resize of an NCHW tensor's spatial axes, in the two coordinate conventions dlc's resize computes. */
    private void resize() {
        T x = tensor(0);
        if (x.type().rank() != 4) throw fail("only [N, C, H, W] inputs are supported, got " + x.type());
        String mode = stringAttr("mode", "nearest"), coords = stringAttr("coordinate_transformation_mode", "half_pixel");
        boolean bilinear = mode.equals("linear");
        boolean matches = bilinear ? coords.equals("half_pixel") || coords.equals("pytorch_half_pixel")
                : mode.equals("nearest") && coords.equals("asymmetric") && stringAttr("nearest_mode", "round_prefer_floor").equals("floor");
        if (!matches)
            throw fail("mode " + mode + " with coordinate_transformation_mode " + coords + " is not supported (dlc resizes nearest with "
                    + "asymmetric coordinates and floor rounding, or linear with half_pixel coordinates)");
        long[] size;
        K sizes = knownInput(3, "Resize's sizes");
        if (sizes != null) {
            Dim[] all = sizes.ints(); // the batch and channel sizes may be symbolic; height and width must not
            size = ints(DType.I64, new int[]{2}, all[all.length - 2], all[all.length - 1]).longs("Resize's output height and width");
        } else {
            K scales = knownInput(2, "Resize's scales");
            if (scales == null) throw fail("Resize needs sizes or scales");
            Shape s = x.type().shape();
            if (!s.dim(2).isConst() || !s.dim(3).isConst()) throw fail("Resize by scales needs a known height and width, got " + x.type());
            size = new long[]{(long) Math.floor(s.dim(2).value() * scales.num(2)), (long) Math.floor(s.dim(3).value() * scales.num(3))};
        }
        String m = bilinear ? "bilinear" : "nearest";
        emit(0, "resize(" + x.expr() + ", " + tuple(size) + ", mode=\"" + m + "\")", infer(Ops.RESIZE, Attrs.of("size", size, "mode", m), x.type()));
    }

    private void batchNorm() {
        if (intAttr("training_mode", 0) != 0) throw fail("training_mode=1 is not supported (dlc imports inference graphs)");
        for (int i = 1; i < node.getOutputCount(); i++)
            if (!node.getOutput(i).isEmpty() && uses.containsKey(node.getOutput(i))) throw fail("the running-statistics outputs are not supported");
        T x = tensor(0), scale = tensor(1), bias = tensor(2), mean = tensor(3), var = tensor(4);
        helpers.add("batch_norm_inference");
        emit(0, "batch_norm_inference(" + x.expr() + ", " + scale.expr() + ", " + bias.expr() + ", " + mean.expr() + ", " + var.expr() + ", "
                + number(floatAttr("epsilon", 1e-5), DType.F32) + ")", x.type());
    }

    private void layerNorm() {
        for (int i = 1; i < node.getOutputCount(); i++)
            if (!node.getOutput(i).isEmpty() && uses.containsKey(node.getOutput(i))) throw fail("the Mean and InvStdDev outputs are not supported");
        T x = tensor(0), scale = tensor(1);
        String bias = value(2) == null ? "0.0" : tensor(2).expr();
        int r = x.type().rank(), a = axis(intAttr("axis", -1), r);
        long[] axes = new long[r - a];
        for (int i = a; i < r; i++) axes[i - a] = i;
        helpers.add("layer_norm_inference");
        emit(0, "layer_norm_inference(" + x.expr() + ", " + scale.expr() + ", " + bias + ", " + list(axes) + ", "
                + number(floatAttr("epsilon", 1e-5), DType.F32) + ")", x.type());
    }
}
