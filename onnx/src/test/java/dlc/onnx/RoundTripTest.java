package dlc.onnx;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.ModelProto;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Export then import: every exported example comes back as a .dl model that computes the same
 * outputs (both sides in the float64 interpreter, so the tolerance only absorbs the weights'
 * rounding to float32 in the ONNX file). Examples whose export holds an op the importer lacks
 * fail naming it.
 */
class RoundTripTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    /** Exported examples the importer refuses, and the op its error must name. */
    static final Map<String, String> NOT_IMPORTABLE = Map.of();

    @TestFactory Stream<DynamicTest> exportThenImportComputesTheSameOutputs() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".dl"))
                    .filter(f -> !ExportExamplesTest.NOT_EXPORTABLE.containsKey(f.getFileName().toString()))
                    .sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private static void check(Path file) {
        Module m = Models.lower(file);
        Graph g = m.graph("eval").orElseThrow();
        Map<String, Tensor> w = Models.weights(m);
        ModelProto exported = OnnxExporter.export(g, w, m.name());
        ModelProto parsed = OnnxImporter.parse(exported.toByteArray(), file + ".onnx");
        String refused = NOT_IMPORTABLE.get(file.getFileName().toString());
        if (refused != null) {
            OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.convert(parsed, m.name()));
            assertTrue(e.getMessage().contains(refused + " ("), e.getMessage());
            return;
        }
        OnnxImporter.Result r = OnnxImporter.convert(parsed, m.name());
        Graph back = Models.lowerSource("imported.dl", r.source()).graph("eval").orElseThrow();
        Map<String, Tensor> in = Models.inputs(g, Models.dims(g, Map.of()), 3), inBack = new HashMap<>();
        for (Value v : back.inputs(Value.Role.INPUT)) inBack.put(v.name(), in.get(v.name()));
        Agreement.assertClose(Models.reference(g, w, in), Models.reference(back, r.weights(), inBack), file.getFileName() + " after a round trip\n" + r.source());
    }
}
