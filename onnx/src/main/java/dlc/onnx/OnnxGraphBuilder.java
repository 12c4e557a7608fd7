package dlc.onnx;

import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.AttributeProto;
import dlc.onnx.proto.Onnx.GraphProto;
import dlc.onnx.proto.Onnx.NodeProto;
import dlc.onnx.proto.Onnx.TensorShapeProto;
import dlc.onnx.proto.Onnx.TypeProto;
import dlc.onnx.proto.Onnx.ValueInfoProto;

import java.util.*;

/**
 * One ONNX graph under construction: unique value names (shared with the graphs nested in it, so
 * a scan body can name outer values), nodes in order, constants, and the int64 shape tensors that
 * symbolic dims need at run time. A symbol such as {@code B} is read from the shape of a model
 * input that has it as a dim ({@code Shape(x, start=0, end=1)}), once per graph.
 */
final class OnnxGraphBuilder {
    /** Where a symbol's value can be read: a top-level input's name and the axis. */
    record SymbolSource(String input, int axis) {}

    final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> used;
    private final Map<String, SymbolSource> symbolSources;
    private final Map<String, String> symbolTensors = new HashMap<>();
    private final Map<String, String> constants = new HashMap<>();

    OnnxGraphBuilder(String name, Set<String> used, Map<String, SymbolSource> symbolSources) {
        graph.setName(name);
        this.used = used;
        this.symbolSources = symbolSources;
    }

    /** A nested graph (a scan body) that shares the value namespace and the symbol sources. */
    OnnxGraphBuilder nested(String name) { return new OnnxGraphBuilder(name, used, symbolSources); }

    /** Reserves {@code name} exactly; false when it is taken. */
    boolean reserve(String name) { return used.add(name); }

    /** A new unique value name from a hint. */
    String fresh(String hint) {
        String base = hint == null || hint.isEmpty() ? "v" : hint;
        if (used.add(base)) return base;
        for (int i = 1; ; i++) if (used.add(base + "_" + i)) return base + "_" + i;
    }

    /** {@code base_0}, {@code base_1}, ...: the first free one (unnamed results, named after their op). */
    String numbered(String base) {
        for (int i = 0; ; i++) if (used.add(base + "_" + i)) return base + "_" + i;
    }

    /** Appends a node with one output; returns the output's name. */
    String node(String op, String hint, List<String> inputs, AttributeProto... attrs) {
        String out = hint != null ? fresh(hint) : numbered(op.toLowerCase(Locale.ROOT));
        nodeTo(op, List.of(out), inputs, attrs);
        return out;
    }

    String node(String op, List<String> inputs, AttributeProto... attrs) { return node(op, null, inputs, attrs); }

    /** Appends a node with the given outputs. */
    void nodeTo(String op, List<String> outputs, List<String> inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(fresh("n_" + op)).addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
    }

    /** A constant tensor (a Constant node), shared between uses of equal small values. */
    String constant(Tensor t, String hint) {
        boolean small = t.size() <= 16;
        String key = small ? t.dtype() + Arrays.toString(t.shape()) + Arrays.toString(t.data()) : null;
        if (small && constants.containsKey(key)) return constants.get(key);
        String out = fresh(hint);
        nodeTo("Constant", List.of(out), List.of(), Attr.tensor("value", OnnxTensors.toProto(out, t)));
        if (small) constants.put(key, out);
        return out;
    }

    /** A scalar constant of a dtype. */
    String scalar(double v, DType dtype) { return constant(Tensor.scalar(dtype, v), "c"); }

    /** A 1-D int64 constant. */
    String longs(long... v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return constant(new Tensor(DType.I64, new int[]{v.length}, d), "ints");
    }

    /** The 1-D int64 tensor holding a shape's sizes, computed at run time where dims are symbolic. */
    String shapeTensor(Shape s) {
        if (s.isConcrete()) return longs(s.dims().stream().mapToLong(Dim::value).toArray());
        List<String> parts = new ArrayList<>();
        for (Dim d : s.dims()) parts.add(dimTensor(d));
        return parts.size() == 1 ? parts.get(0) : node("Concat", "shape", parts, Attr.i("axis", 0));
    }

    /** One dim as a 1-D int64 tensor of length 1. */
    String dimTensor(Dim d) {
        if (d.isConst()) return longs(d.value());
        return new DimParser(d.toString()).parseAll();
    }

    private String symbol(String name) {
        String t = symbolTensors.get(name);
        if (t != null) return t;
        SymbolSource src = symbolSources.get(name);
        if (src == null) throw new OnnxException("the size " + name + " is not a dim of any model input, so the ONNX graph cannot compute it");
        t = node("Shape", name + "_size", List.of(src.input()), Attr.i("start", src.axis()), Attr.i("end", src.axis() + 1));
        symbolTensors.put(name, t);
        return t;
    }

    /** Reads dim text ({@code B*T - 1}, {@code (H + 1)/2}) into int64 arithmetic nodes. */
    private final class DimParser {
        private final String s;
        private int i;

        DimParser(String s) { this.s = s; }

        String parseAll() {
            String d = sum();
            skip();
            if (i != s.length()) throw new IllegalStateException("bad dim text " + s);
            return d;
        }

        private String sum() {
            String d = product();
            while (true) {
                skip();
                if (peek('+')) { i++; d = node("Add", List.of(d, product())); }
                else if (peek('-')) { i++; d = node("Sub", List.of(d, product())); }
                else return d;
            }
        }

        private String product() {
            String d = unary();
            while (true) {
                skip();
                if (peek('*')) { i++; d = node("Mul", List.of(d, unary())); }
                // sizes are non-negative, where ONNX's truncating Div is floor division
                else if (peek('/')) { i++; d = node("Div", List.of(d, unary())); }
                else return d;
            }
        }

        private String unary() {
            skip();
            if (peek('-')) { i++; return node("Neg", List.of(unary())); }
            if (peek('(')) {
                i++;
                String d = sum();
                skip();
                i++; // ')'
                return d;
            }
            int st = i;
            if (Character.isDigit(s.charAt(i))) {
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                return longs(Long.parseLong(s.substring(st, i)));
            }
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            return symbol(s.substring(st, i));
        }

        private boolean peek(char c) { return i < s.length() && s.charAt(i) == c; }

        private void skip() { while (i < s.length() && s.charAt(i) == ' ') i++; }
    }

    /** A typed value description; symbolic dims are named, compound ones ({@code B*T}) left open. */
    static ValueInfoProto valueInfo(String name, TensorType t) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim d : t.shape().dims()) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.isConst()) dim.setDimValue(d.value());
            else if (d.equals(Dim.sym(d.toString()))) dim.setDimParam(d.toString());
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(OnnxTensors.elemType(t.dtype())).setShape(shape))).build();
    }
}
