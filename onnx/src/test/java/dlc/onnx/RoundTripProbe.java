package dlc.onnx;

import dlc.ir.*;
import dlc.ir.Module;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.*;
import java.util.*;

class RoundTripProbe {
    @Test void probe() throws Exception {
        try (var files = Files.list(Path.of("..", "examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".dl")).sorted().toList()) {
                String src = null;
                try {
                    Module m = Models.lower(f);
                    Graph g = m.graph("eval").orElseThrow();
                    Map<String, Tensor> w = Models.weights(m);
                    var model = OnnxExporter.export(g, w, m.name());
                    var r = OnnxImporter.convert(OnnxImporter.parse(model.toByteArray(), "x"), m.name());
                    src = r.source();
                    Module m2 = Models.lowerSource("imported.dl", r.source());
                    Graph g2 = m2.graph("eval").orElseThrow();
                    Map<String, Long> dims = Models.dims(g, Map.of());
                    Map<String, Tensor> in = Models.inputs(g, dims, 1);
                    Map<String, Tensor> want = Models.reference(g, w, in);
                    Map<String, Tensor> in2 = new HashMap<>();
                    for (Value v : g2.inputs(Value.Role.INPUT)) in2.put(v.name(), in.get(v.name()));
                    Map<String, Tensor> got = Models.reference(g2, r.weights(), in2);
                    Agreement.assertClose(want, got, f.toString());
                    System.out.println("OK   " + f);
                } catch (Throwable e) {
                    System.out.println("FAIL " + f + ": " + e.toString().replace('\n', ' '));
                    if (src != null && !e.toString().contains("Scan")) System.out.println(src);
                }
            }
        }
    }
}
