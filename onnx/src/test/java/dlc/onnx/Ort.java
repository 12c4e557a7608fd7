package dlc.onnx;

import ai.onnxruntime.*;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;

import java.nio.*;
import java.util.*;

/** Runs an ONNX model in ONNX Runtime on dlc tensors: the real tool on the other side of the format. */
final class Ort {
    private Ort() {}

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** Runs {@code model} (serialized) on named inputs; returns every output by name, as float64 dlc tensors. */
    static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs) throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            try (OrtSession s = ENV.createSession(model, opts)) {
                Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                try {
                    for (String name : s.getInputNames()) {
                        Tensor t = inputs.get(name);
                        if (t == null) throw new IllegalArgumentException("no value for ONNX input " + name);
                        feeds.put(name, tensor(t));
                    }
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    try (OrtSession.Result r = s.run(feeds)) {
                        for (Map.Entry<String, OnnxValue> e : r) out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
                    }
                    return out;
                } finally {
                    for (OnnxTensor t : feeds.values()) t.close();
                }
            }
        }
    }

    static OnnxTensor tensor(Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        double[] v = t.data();
        switch (t.dtype().text()) {
            case "f32" -> {
                FloatBuffer b = FloatBuffer.allocate(v.length);
                for (double x : v) b.put((float) x);
                return OnnxTensor.createTensor(ENV, b.flip(), shape);
            }
            case "f64" -> { return OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(v.clone()), shape); }
            case "i32" -> {
                IntBuffer b = IntBuffer.allocate(v.length);
                for (double x : v) b.put((int) x);
                return OnnxTensor.createTensor(ENV, b.flip(), shape);
            }
            case "i64" -> {
                LongBuffer b = LongBuffer.allocate(v.length);
                for (double x : v) b.put((long) x);
                return OnnxTensor.createTensor(ENV, b.flip(), shape);
            }
            case "bool" -> {
                ByteBuffer b = ByteBuffer.allocate(v.length);
                for (double x : v) b.put((byte) (x != 0 ? 1 : 0));
                return OnnxTensor.createTensor(ENV, b.flip(), shape, OnnxJavaType.BOOL);
            }
            default -> throw new IllegalArgumentException("no ORT tensor for " + t.dtype());
        }
    }

    static Tensor fromOrt(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        int[] shape = Arrays.stream(info.getShape()).mapToInt(Math::toIntExact).toArray();
        int n = (int) Tensor.numel(shape);
        double[] v = new double[n];
        DType d;
        switch (info.type) {
            case FLOAT -> { FloatBuffer b = t.getFloatBuffer(); for (int i = 0; i < n; i++) v[i] = b.get(i); d = DType.F32; }
            case DOUBLE -> { DoubleBuffer b = t.getDoubleBuffer(); for (int i = 0; i < n; i++) v[i] = b.get(i); d = DType.F64; }
            case INT32 -> { IntBuffer b = t.getIntBuffer(); for (int i = 0; i < n; i++) v[i] = b.get(i); d = DType.I32; }
            case INT64 -> { LongBuffer b = t.getLongBuffer(); for (int i = 0; i < n; i++) v[i] = b.get(i); d = DType.I64; }
            case BOOL -> { ByteBuffer b = t.getByteBuffer(); for (int i = 0; i < n; i++) v[i] = b.get(i) != 0 ? 1 : 0; d = DType.BOOL; }
            default -> throw new IllegalArgumentException("no dlc tensor for ORT type " + info.type);
        }
        return new Tensor(d, shape, v);
    }
}
