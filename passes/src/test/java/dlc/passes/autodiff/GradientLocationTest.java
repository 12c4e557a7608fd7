package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A gradient rule's refusal names the forward node's source location (issue 10: it had none). */
class GradientLocationTest {
    @Test
    void aStride2ConvOverASymbolicHeightIsRefusedAtItsSource() {
        GraphBuilder b = new GraphBuilder("train");
        Value x = b.input("x", new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(1), Dim.sym("H"), Dim.sym("H"))), Value.Role.INPUT);
        Value w = b.input("w", new TensorType(DType.F32, Shape.of(4, 1, 3, 3)), Value.Role.PARAM);
        Value y = b.at(new SourceLoc("m.dl", 4, 7)).op(Ops.CONV2D, Attrs.of("stride", new long[]{2, 2}, "padding", new long[]{0, 0, 0, 0},
                "dilation", new long[]{1, 1}, "groups", 1L), x, w);
        Value loss = b.at(new SourceLoc("m.dl", 5, 8)).op(Ops.MEAN, Attrs.of("axes", new long[]{0, 1, 2, 3}, "keepdims", false), y);
        b.output("loss", Graph.Output.Role.LOSS, loss);
        Graph g = b.build();
        GradientException e = assertThrows(GradientException.class, () -> new Autodiff().gradients(g, "loss", List.of("w")));
        assertEquals(new SourceLoc("m.dl", 4, 7), e.loc());
        assertTrue(e.getMessage().startsWith("m.dl:4:7: the gradient of conv2d with stride 2"), e.getMessage());
        assertNotNull(e.hint());
    }
}
