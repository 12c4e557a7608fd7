package dlc.cli;

import dlc.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** dlc export and dlc import as a user runs them: files written, outputs unchanged by the trip, one-line errors, no partial files. */
class OnnxCommandsTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();
    private static final Path MLP = Path.of("../examples/mlp.dl");

    private static String s(Path p) { return p.toString(); }

    @Test void exportThenImportRunsToTheSameOutputs() throws Exception {
        Path onnx = dir.resolve("mlp.onnx"), dl = dir.resolve("back.dl"), ckpt = dir.resolve("back.safetensors");
        CliHarness.Result ex = exec(DLC, "export", s(MLP), "-o", s(onnx));
        assertEquals(0, ex.code(), ex::toString);
        assertTrue(ex.out().startsWith("exported Mlp (eval graph, weights initialized with seed 0) to " + onnx + ": ONNX opset 17"), ex::toString);
        assertTrue(ex.out().contains("inputs:  x: float[B, 2]") && ex.out().contains("outputs: probs: float[B, 3]"), ex::toString);

        CliHarness.Result im = exec(DLC, "import", s(onnx), "-o", s(dl));
        assertEquals(0, im.code(), im::toString);
        assertTrue(Files.exists(dl) && Files.exists(ckpt), "the checkpoint goes beside the .dl file by default");
        assertTrue(Files.readString(dl).contains("model Back {"), Files.readString(dl));

        Path o1 = dir.resolve("o1"), o2 = dir.resolve("o2");
        assertEquals(0, exec(DLC, "run", s(MLP), "--batch", "4", "--output-dir", s(o1)).code());
        CliHarness.Result run = exec(DLC, "run", s(dl), "--weights", s(ckpt), "--batch", "4", "--output-dir", s(o2));
        assertEquals(0, run.code(), run::toString);
        // the same weights and the same seeded inputs: the JVM backend computes the same float32 bits
        assertArrayEquals(Files.readAllBytes(o1.resolve("probs.npy")), Files.readAllBytes(o2.resolve("probs.npy")));
        CliHarness.Result jar = exec(DLC, "compile", s(dl), "--weights", s(ckpt), "-o", s(dir.resolve("back.jar")));
        assertEquals(0, jar.code(), jar::toString);
        assertTrue(jar.out().startsWith("compiled Back (eval graph, weights " + ckpt), jar::toString);
    }

    @Test void anExampleWithRandomDrawsIsAOneLineErrorAndNoFile() {
        Path onnx = dir.resolve("gan.onnx");
        CliHarness.Result r = exec(DLC, "export", "../examples/gan.dl", "-o", s(onnx));
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().matches("dlc: cannot export Gan's eval graph: op '[a-z_]+' at \\.\\./examples/gan\\.dl:\\d+:\\d+ has no ONNX form: [^\\n]*\\n"), r::toString);
        assertFalse(Files.exists(onnx));
    }

    @Test void aCorruptFileIsAOneLineError() throws Exception {
        Path bad = dir.resolve("bad.onnx");
        Files.writeString(bad, "not a model at all");
        CliHarness.Result r = exec(DLC, "import", s(bad), "-o", s(dir.resolve("bad.dl")));
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: " + bad + " is not an ONNX model") && r.err().lines().count() == 1, r::toString);
        assertEquals(1, fileCount(), "nothing written beside the input");
    }

    @Test void unsupportedOpsAreListedAndNothingIsWritten() throws Exception {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(Onnx.TypeProto.newBuilder().setTensorType(
                        Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(Onnx.TensorShapeProto.newBuilder()
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))))))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("z"));
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"));
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Hardmax").addInput("y").addOutput("z"));
        Path onnx = dir.resolve("m.onnx");
        Files.write(onnx, Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17)).build().toByteArray());
        CliHarness.Result r = exec(DLC, "import", s(onnx));
        assertEquals(1, r.code(), r::toString);
        assertEquals("dlc: cannot import " + onnx + ": the model uses 1 node of ops dlc import does not support: Hardmax (1)\n", r.err());
        assertEquals(1, fileCount(), "no .dl and no checkpoint");
    }

    @Test void anUnwritableDestinationIsAOneLineErrorAndNoPartialFile() throws Exception {
        Path onnx = dir.resolve("mlp.onnx");
        assertEquals(0, exec(DLC, "export", s(MLP), "-o", s(onnx)).code());
        Path blocked = dir.resolve("file-not-dir");
        Files.writeString(blocked, "x");
        CliHarness.Result r = exec(DLC, "import", s(onnx), "-o", s(blocked.resolve("m.dl")));
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: cannot write " + blocked.resolve("m.dl")), r::toString);
        CliHarness.Result e = exec(DLC, "export", s(MLP), "-o", s(blocked.resolve("m.onnx")));
        assertEquals(1, e.code(), e::toString);
        assertEquals(2, fileCount(), "no temporary or partial files");
    }

    @Test void helpNamesTheOptions() {
        assertTrue(exec(DLC, "export", "--help").out().contains("--weights=CKPT"));
        assertTrue(exec(DLC, "import", "--help").out().contains("--weights-out=CKPT"));
        assertEquals(2, exec(DLC, "import").code(), "a missing file argument is a usage error");
    }

    private long fileCount() throws Exception {
        try (Stream<Path> s = Files.list(dir)) { return s.count(); }
    }
}
