package dlc.onnx;

import dlc.checkpoint.AtomicFile;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.GraphProto;
import dlc.onnx.proto.Onnx.ModelProto;
import dlc.onnx.proto.Onnx.OperatorSetIdProto;
import dlc.onnx.proto.Onnx.StringStringEntryProto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.*;

/**
 * A dlc graph (the eval graph after shape inference, before fusion) as an ONNX model: the model's
 * inputs as graph inputs (symbolic dims as {@code dim_param}), params and state as initializers,
 * one ONNX node or a small fixed pattern per primitive ({@link OnnxOps}), and the graph's OUTPUT
 * results as graph outputs; the loss and what only it reads are left out. An op without an ONNX
 * form is an {@link OnnxException} naming the op and its source line.
 */
public final class OnnxExporter {
    /** The ONNX operator set written; IR version 8 is the one that goes with opset 17. */
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    private OnnxExporter() {}

    /**
     * The ONNX model of {@code g}; {@code weights} holds every PARAM and STATE input the outputs
     * need, by name.
     */
    public static ModelProto export(Graph g, Map<String, Tensor> weights, String modelName) {
        List<Graph.Output> outs = g.outputs().stream().filter(o -> o.role() == Graph.Output.Role.OUTPUT).toList();
        if (outs.isEmpty()) throw new OnnxException("graph " + g.name() + " of " + modelName + " has no output to export");
        Set<Node> live = liveNodes(g, outs);
        Set<Value> usedValues = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : live) usedValues.addAll(n.inputs());
        for (Graph.Output o : outs) usedValues.add(o.value());

        Map<String, OnnxGraphBuilder.SymbolSource> symbols = new HashMap<>();
        Set<String> names = new HashSet<>();
        OnnxGraphBuilder b = new OnnxGraphBuilder(modelName, names, symbols);
        Map<Value, String> env = new IdentityHashMap<>();
        for (Graph.Output o : outs) b.reserve(o.name());
        for (Value v : g.inputs()) {
            if (!usedValues.contains(v)) continue;
            if (!b.reserve(v.name())) throw new OnnxException("the name '" + v.name() + "' is both an input and an output of " + modelName);
            env.put(v, v.name());
            if (v.role() == Value.Role.INPUT) {
                b.graph.addInput(OnnxGraphBuilder.valueInfo(v.name(), v.type()));
                for (int a = 0; a < v.type().rank(); a++) {
                    Dim d = v.type().shape().dim(a);
                    if (!d.isConst() && d.equals(Dim.sym(d.toString())))
                        symbols.putIfAbsent(d.toString(), new OnnxGraphBuilder.SymbolSource(v.name(), a));
                }
            } else {
                Tensor t = weights.get(v.name());
                if (t == null) throw new OnnxException("no weights for '" + v.name() + "' (" + v.type() + ")");
                int[] want = v.type().shape().eval(Map.of());
                if (!Arrays.equals(want, t.shape()))
                    throw new OnnxException("weights for '" + v.name() + "' have shape " + Arrays.toString(t.shape()) + ", the model needs " + v.type());
                b.graph.addInitializer(OnnxTensors.toProto(v.name(), t.withDType(v.type().dtype())));
            }
        }
        for (Node n : g.nodes()) if (live.contains(n)) OnnxOps.emit(b, n, env);
        for (Graph.Output o : outs) {
            b.nodeTo("Identity", List.of(o.name()), List.of(env.get(o.value())));
            b.graph.addOutput(OnnxGraphBuilder.valueInfo(o.name(), o.value().type()));
        }
        return model(b.graph.build(), modelName);
    }

    private static ModelProto model(GraphProto graph, String modelName) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("dlc")
                .setProducerVersion(OnnxExporter.class.getPackage().getImplementationVersion() == null ? "dev"
                        : OnnxExporter.class.getPackage().getImplementationVersion())
                .setDocString("model " + modelName + ", exported by dlc")
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("dlc.model").setValue(modelName))
                .setGraph(graph)
                .build();
    }

    /** The nodes some output needs, walking back from the outputs. */
    static Set<Node> liveNodes(Graph g, List<Graph.Output> outs) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Value> work = new ArrayDeque<>();
        for (Graph.Output o : outs) work.push(o.value());
        while (!work.isEmpty()) {
            Value v = work.pop();
            Node p = v.producer();
            if (p != null && live.add(p)) p.inputs().forEach(work::push);
        }
        return live;
    }

    /** Writes the model atomically: a failed write leaves no partial file. */
    public static void write(ModelProto model, Path file) throws IOException {
        AtomicFile.write(file, model::writeTo);
    }
}
