package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

/**
 * resize on the JVM backend against the interpreter ({@link Agreement}, f32 vs float64 at 1e-4):
 * up- and downsampling, both modes, symbolic batch, inside a training-step-shaped graph with its
 * gradient (the VJP's constant matmuls), optimized and not.
 */
class ResizeJvmTest {
    private static Graph model(String mode, long h, long w, long ho, long wo) {
        Dim b = Dim.sym("B");
        GraphBuilder g = new GraphBuilder("resize");
        Value x = g.input("x", new TensorType(DType.F32, Shape.of(b, Dim.of(2), Dim.of(h), Dim.of(w))), Value.Role.PARAM);
        Value u = g.input("u", new TensorType(DType.F32, Shape.of(b, Dim.of(2), Dim.of(ho), Dim.of(wo))), Value.Role.INPUT);
        Value y = g.op(Ops.RESIZE, Attrs.of("size", new long[]{ho, wo}, "mode", mode), g.op(Ops.TANH, x));
        g.output("y", Graph.Output.Role.OUTPUT, y);
        g.output("loss", Graph.Output.Role.LOSS, g.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L, 2L, 3L)), g.op(Ops.MUL, g.op(Ops.SIN, y), u)));
        return new Autodiff().gradients(g.build(), "loss", List.of("x"));
    }

    @ParameterizedTest
    @CsvSource({"nearest, 3, 5, 7, 4", "bilinear, 3, 5, 7, 4", "bilinear, 10, 10, 28, 28", "nearest, 8, 6, 4, 3",
            "bilinear, 8, 6, 3, 2", "bilinear, 1, 1, 3, 2", "nearest, 4, 4, 4, 4"})
    void resizeAndItsGradientAgree(String mode, long h, long w, long ho, long wo) {
        Graph g = model(mode, h, w, ho, wo);
        Agreement.check(g, Map.of("B", 3L), 5, true);
        Agreement.check(g, Map.of("B", 2L), 6, false);
    }
}
