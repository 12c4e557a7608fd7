package dlc.onnx;

import com.google.protobuf.ByteString;
import dlc.onnx.proto.Onnx.AttributeProto;
import dlc.onnx.proto.Onnx.AttributeProto.AttributeType;
import dlc.onnx.proto.Onnx.GraphProto;
import dlc.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;

/** Building ONNX node attributes, each with its type discriminator set as the format requires. */
final class Attr {
    private Attr() {}

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
    }

    static AttributeProto f(String name, double v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS)
                .addAllInts(Arrays.stream(v).boxed().toList()).build();
    }

    static AttributeProto tensor(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
    }

    static AttributeProto graph(String name, GraphProto g) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.GRAPH).setG(g).build();
    }
}
