package dlc.cli;

import dlc.onnx.OnnxException;
import dlc.onnx.OnnxImporter;
import dlc.onnx.proto.Onnx.ModelProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dlc import MODEL.onnx}: an ONNX model as a readable .dl file and a safetensors checkpoint of its weights. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Import an ONNX model: write a readable .dl model (typed inputs with their symbolic dims, one param per weight, "
                + "one statement per node, names from the ONNX graph where they are identifiers) and its weights as a safetensors checkpoint "
                + "for dlc run/compile --weights.",
                "Shapes the ONNX graph computes from its inputs' shapes are folded into the .dl file as dims. A model with ops dlc "
                        + "cannot import is refused as a whole, listing each such op and its count; nothing is written then."})
final class ImportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.dl", description = "The .dl file to write (default: the ONNX file's name with .dl).")
    Path output;

    @Option(names = "--weights-out", paramLabel = "CKPT", description = "The checkpoint to write (default: the .dl file's name with .safetensors).")
    Path weightsOut;

    @Option(names = "--model", paramLabel = "NAME", description = "The model's name in the .dl file (default: from the .dl file's name, e.g. Model for model.dl).")
    String modelName;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(file)) throw new UserError("no such file: " + file);
        if (Files.isDirectory(file)) throw new UserError(file + " is a directory, not an ONNX model");
        Path dl = output != null ? output : sibling(file, ".dl");
        Path ckpt = weightsOut != null ? weightsOut : sibling(dl, ".safetensors");
        String name = modelName != null ? modelName : OnnxImporter.modelName(dl.getFileName().toString());
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*"))
            throw new UserError("--model " + name + " is not a model name (letters, digits and _, not starting with a digit)", UserError.USAGE);
        OnnxImporter.Result r;
        ModelProto m;
        try {
            m = OnnxImporter.parse(Files.readAllBytes(file), file.toString());
        } catch (OnnxException e) {
            throw new UserError(e.getMessage());
        }
        try {
            r = OnnxImporter.convert(m, name);
        } catch (OnnxException e) {
            throw new UserError("cannot import " + file + ": " + e.getMessage());
        }
        try {
            OnnxImporter.write(r, dl, ckpt);
        } catch (IOException e) {
            throw new UserError(cannotWrite(dl, e));
        }
        long values = r.weights().values().stream().mapToLong(t -> t.size()).sum();
        out.println("imported " + file + " (" + m.getGraph().getNodeCount() + " nodes) as model " + name + ": " + dl + " and "
                + ckpt + " (" + r.weights().size() + " tensors, " + values + " values)");
        out.println("e.g. dlc run " + dl + " --weights " + ckpt);
        out.flush();
        return 0;
    }

    /** One line for a failed write; a file-system exception's message is often only the path. */
    static String cannotWrite(Path target, IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "cannot write " + target + ": permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return "cannot write " + target + ": " + f.getReason();
        String m = String.valueOf(e.getMessage());
        return m.startsWith("cannot write") ? m : "cannot write " + target + ": " + m;
    }

    /** {@code path} with its extension replaced. */
    private static Path sibling(Path path, String ext) {
        String n = path.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return path.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + ext);
    }
}
