package dlc.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dlc.checkpoint.AtomicFile;
import dlc.checkpoint.Checkpoint;
import dlc.checkpoint.SafeTensors;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * An ONNX model as a readable .dl model plus a safetensors checkpoint of its initializers. The
 * model has typed inputs (symbolic dims stay symbolic), one {@code param} per initializer the
 * computation reads as a tensor, one statement per node (names from the ONNX graph where they are
 * identifiers) and its outputs. Shapes that ONNX computes at run time from the inputs' shapes
 * (Shape, Gather, Concat, ... feeding a Reshape) are evaluated during the import, symbolically,
 * so the .dl file states them as dims ({@code reshape(x, [B, 784])}). A model with ops outside
 * {@link ImportOps#SUPPORTED} is refused as a whole, naming each unsupported op and its count.
 */
public final class OnnxImporter {
    /** The .dl source, the checkpoint's tensors by param name, and the model's name. */
    public record Result(String source, Map<String, Tensor> weights, String modelName) {}

    private OnnxImporter() {}

    /** Parses an ONNX file's bytes; anything that is not a model with a graph is an {@link OnnxException}. */
    public static ModelProto parse(byte[] bytes, String what) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(what + " is not an ONNX model (it does not parse as one: " + e.getMessage() + ")");
        }
        if (!m.hasGraph() || m.getOpsetImportCount() == 0 && m.getGraph().getNodeCount() == 0)
            throw new OnnxException(what + " is not an ONNX model (it has no graph)");
        return m;
    }

    /** Converts a parsed model; {@code modelName} names the .dl model and the checkpoint's model. */
    public static Result convert(ModelProto m, String modelName) {
        GraphProto g = m.getGraph();
        Map<String, Integer> unsupported = new TreeMap<>();
        for (NodeProto n : g.getNodeList()) {
            String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + "." + n.getOpType();
            if (!ImportOps.SUPPORTED.contains(key)) unsupported.merge(key, 1, Integer::sum);
        }
        if (!unsupported.isEmpty()) {
            StringJoiner j = new StringJoiner(", ");
            unsupported.forEach((op, count) -> j.add(op + " (" + count + ")"));
            int total = unsupported.values().stream().mapToInt(Integer::intValue).sum();
            throw new OnnxException("the model uses " + total + " node" + (total == 1 ? "" : "s") + " of ops dlc import does not support: " + j);
        }
        long opset = 0;
        for (OperatorSetIdProto o : m.getOpsetImportList())
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
        if (opset == 0) throw new OnnxException("the model imports no version of the standard ONNX operator set");
        return new ImportOps(g, opset, modelName).run();
    }

    /**
     * Writes the .dl file and the checkpoint, each atomically; both directories are checked first,
     * so an unwritable destination leaves neither file.
     */
    public static void write(Result r, Path dl, Path weights) throws IOException {
        for (Path p : List.of(dl, weights)) {
            Path dir = p.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) throw new IOException("cannot write " + p + ": directory " + dir + " does not exist");
            if (!Files.isWritable(dir)) throw new IOException("cannot write " + p + ": directory " + dir + " is not writable");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.MODEL_KEY, r.modelName());
        meta.put("dlc.seed", "0");
        meta.put(Checkpoint.EPOCH_KEY, "0");
        meta.put(Checkpoint.STEP_KEY, "0");
        meta.put("dlc.source", "imported from ONNX");
        boolean hadWeights = Files.exists(weights);
        SafeTensors.write(weights, new Checkpoint(r.weights(), meta));
        try {
            AtomicFile.write(dl, out -> out.write(r.source().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            if (!hadWeights) Files.deleteIfExists(weights); // no checkpoint without its model
            throw e;
        }
    }

    /** A readable model name from a file name: {@code my_model.dl} gives {@code MyModel}. */
    public static String modelName(String fileName) {
        String stem = fileName.replaceFirst("\\.[^.]*$", "");
        StringBuilder sb = new StringBuilder();
        for (String part : stem.split("[^A-Za-z0-9]+")) {
            if (part.isEmpty()) continue;
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        String name = sb.toString();
        return name.isEmpty() || !Character.isLetter(name.charAt(0)) ? "Imported" + name : name;
    }

    /** The dims of a type as .dl text, e.g. {@code f32[B, 784]}. */
    static String typeText(TensorType t) {
        StringJoiner j = new StringJoiner(", ", t.dtype().text() + "[", "]");
        for (Dim d : t.shape().dims()) j.add(d.toString());
        return j.toString();
    }

    static Shape shape(int[] dims) {
        List<Dim> out = new ArrayList<>();
        for (int d : dims) out.add(Dim.of(d));
        return new Shape(out);
    }

    static DType dtype(int elemType, String what) {
        DType d = OnnxTensors.dtype(elemType);
        if (d == null) throw new OnnxException(what + " has element type " + OnnxTensors.elemTypeName(elemType) + ", which dlc has no dtype for");
        return d;
    }
}
