package dlc.onnx;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.eval.Tensor;
import dlc.passes.ShapeInference;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every example whose eval graph the op set can express is exported, run by ONNX Runtime on
 * random inputs and compared with the float64 interpreter; the others fail with the op and source
 * line named (the list docs/onnx.md gives).
 */
class ExportExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    /** Examples that cannot be exported, and the op their error must name. */
    static final Map<String, String> NOT_EXPORTABLE = Map.of(
            "gan.dl", "op 'rng_fold'",
            "rbm.dl", "op 'rng_fold'");

    @TestFactory Stream<DynamicTest> everyExportableExampleAgreesWithOnnxRuntime() throws IOException {
        assertTrue(Files.isDirectory(EXAMPLES), "examples directory at " + EXAMPLES.toAbsolutePath());
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".dl")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private static void check(Path file) throws Exception {
        Module m = Models.lower(file);
        Graph g = m.graph("eval").orElseThrow();
        Map<String, Tensor> w = Models.weights(m);
        String expectedError = NOT_EXPORTABLE.get(file.getFileName().toString());
        if (expectedError != null) {
            OnnxException e = assertThrows(OnnxException.class, () -> OnnxExporter.export(g, w, m.name()));
            assertTrue(e.getMessage().contains(expectedError) && e.getMessage().contains(file.getFileName().toString() + ":"),
                    "the error names the op and its source line: " + e.getMessage());
            return;
        }
        byte[] onnx = OnnxExporter.export(new ShapeInference().run(g), w, m.name()).toByteArray();
        Map<String, Tensor> in = Models.inputs(g, Models.dims(g, Map.of()), 1);
        Agreement.assertClose(Models.reference(g, w, in), Ort.run(onnx, in), file.getFileName().toString());
    }
}
