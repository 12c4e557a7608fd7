package dlc.cli;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.onnx.OnnxException;
import dlc.onnx.OnnxExporter;
import dlc.onnx.proto.Onnx.ModelProto;
import dlc.onnx.proto.Onnx.ValueInfoProto;
import dlc.passes.ShapeInference;
import dlc.train.Checkpoints;
import dlc.train.Executor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/** {@code dlc export FILE}: a model's eval graph and weights as a standard ONNX model. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a model's eval graph as an ONNX model (opset " + OnnxExporter.OPSET + ", IR version " + OnnxExporter.IR_VERSION
                + "): the model's inputs with symbolic dims as named dims, the weights as initializers, the outputs (the loss and the labels only it "
                + "reads are left out), one ONNX node or a small fixed pattern per primitive.",
                "Weights come from --weights CKPT (dlc train), else from the init graph with --seed. An op that ONNX cannot express "
                        + "(random draws, gradient-only ops) is an error naming the op and its source line."})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Option(names = "--weights", paramLabel = "CKPT", description = "Weights from this checkpoint (from dlc train); default: initialized from --seed.")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.onnx", description = "The file to write (default: MODEL.onnx).")
    Path output;

    @Option(names = "--graph", paramLabel = "G", defaultValue = "eval", description = "The graph to export (default: ${DEFAULT-VALUE}).")
    String graphName;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the initial weights without --weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Module m = Programs.lower(main.toolchain(), file, choice, spec.commandLine().getErr());
        // the IR as the passes first see it: typed by shape inference, before simplification and fusion
        Graph graph = new ShapeInference().run(Programs.graph(m, graphName));
        Map<String, Tensor> values;
        String source;
        if (weights != null) {
            Checkpoints.Weights w = Checkpoints.readWeights(weights, graph, m.name());
            values = w.tensors();
            source = weights + " (after " + w.epoch() + " epochs)";
        } else {
            boolean stored = graph.inputs().stream().anyMatch(v -> v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE);
            values = stored ? ModelRunner.initialize(m, seed, Executor.interpreter()) : new LinkedHashMap<>();
            source = "initialized with seed " + seed;
        }
        ModelProto model;
        try {
            model = OnnxExporter.export(graph, values, m.name());
        } catch (OnnxException e) {
            throw new UserError("cannot export " + m.name() + "'s " + graphName + " graph: " + e.getMessage());
        }
        Path target = output != null ? output : Path.of(m.name() + ".onnx");
        try {
            OnnxExporter.write(model, target);
        } catch (IOException e) {
            throw new UserError(ImportCommand.cannotWrite(target, e));
        }
        out.println("exported " + m.name() + " (" + graphName + " graph, weights " + source + ") to " + target + ": ONNX opset "
                + OnnxExporter.OPSET + ", " + model.getGraph().getNodeCount() + " nodes, " + model.getGraph().getInitializerCount() + " initializers");
        out.println("  inputs:  " + describe(model.getGraph().getInputList()));
        out.println("  outputs: " + describe(model.getGraph().getOutputList()));
        out.flush();
        return 0;
    }

    /** {@code x: FLOAT[B, 784]} for each value. */
    private static String describe(java.util.List<ValueInfoProto> values) {
        StringJoiner all = new StringJoiner(", ");
        for (ValueInfoProto v : values) {
            var t = v.getType().getTensorType();
            StringJoiner dims = new StringJoiner(", ", "[", "]");
            for (var d : t.getShape().getDimList()) dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
            all.add(v.getName() + ": " + dlc.onnx.OnnxTensors.elemTypeName(t.getElemType()).toLowerCase(java.util.Locale.ROOT) + dims);
        }
        return all.toString();
    }
}
