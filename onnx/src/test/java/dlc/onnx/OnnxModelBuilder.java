package dlc.onnx;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.*;

import java.util.*;

/** Writes ONNX models in tests, node by node, the way other tools' exporters lay them out. */
final class OnnxModelBuilder {
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("test");
    private final Random random;
    private int counter;

    OnnxModelBuilder(long seed) { random = new Random(seed); }

    /** A graph input; a String dim is a dim_param, an Integer a fixed size. */
    OnnxModelBuilder input(String name, DType dtype, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims)
            s.addDim(d instanceof String p ? TensorShapeProto.Dimension.newBuilder().setDimParam(p) : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) d));
        g.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(OnnxTensors.elemType(dtype)).setShape(s))));
        return this;
    }

    OnnxModelBuilder output(String name) {
        g.addOutput(ValueInfoProto.newBuilder().setName(name));
        return this;
    }

    /** An initializer of N(0, scale^2) values (or, with {@code positive}, values in [0.5, 1.5)). */
    String weight(String name, double scale, boolean positive, int... shape) {
        double[] v = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (positive ? 0.5 + random.nextDouble() : scale * random.nextGaussian());
        g.addInitializer(OnnxTensors.toProto(name, new Tensor(DType.F32, shape, v)));
        return name;
    }

    String weight(String name, int... shape) { return weight(name, 1.0 / Math.sqrt(shape[shape.length - 1]), false, shape); }

    String ints(String name, long... v) {
        double[] d = Arrays.stream(v).asDoubleStream().toArray();
        g.addInitializer(OnnxTensors.toProto(name, new Tensor(DType.I64, new int[]{v.length}, d)));
        return name;
    }

    /** A node with one output named {@code out} (or generated); returns the output's name. */
    String node(String op, String out, List<String> inputs, AttributeProto... attrs) {
        String o = out != null ? out : op.toLowerCase(Locale.ROOT) + "_" + counter++;
        g.addNode(NodeProto.newBuilder().setOpType(op).setName("node" + counter++).addAllInput(inputs).addOutput(o).addAllAttribute(List.of(attrs)));
        return o;
    }

    String node(String op, List<String> inputs, AttributeProto... attrs) { return node(op, null, inputs, attrs); }

    /** A node with several outputs. */
    void nodeOuts(String op, List<String> inputs, List<String> outs, AttributeProto... attrs) {
        g.addNode(NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addAllOutput(outs).addAllAttribute(List.of(attrs)));
    }

    String scalar(float v) {
        return node("Constant", List.of(), Attr.tensor("value", OnnxTensors.toProto("c" + counter, Tensor.scalar(DType.F32, v))));
    }

    /** The graph alone, as a Scan body. */
    GraphProto graph() { return g.build(); }

    byte[] build(long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("dlc tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g).build().toByteArray();
    }
}
