package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * resize's float64 semantics on values worked out by hand from PyTorch's {@code interpolate}
 * conventions (nearest: source floor(i * n / m); bilinear, align_corners=False: source
 * (i + 0.5) * n / m - 0.5 clamped at 0), and its shape rule's refusals.
 */
class ResizeOpTest {
    private static double[] resize(String mode, int[] shape, long ho, long wo, double... x) {
        GraphBuilder b = new GraphBuilder("r");
        Value in = b.input("x", TensorType.of(DType.F64, shape[0], shape[1], shape[2], shape[3]), Value.Role.INPUT);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.RESIZE, Attrs.of("size", new long[]{ho, wo}, "mode", mode), in));
        return Interpreter.run(b.build(), Map.of("x", Tensor.of(shape, x))).get("y").data();
    }

    @Test
    void bilinearUpsamplingOfARowInterpolatesBetweenPixelCentres() {
        // 2 -> 4: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (second tap clamped) -> 0, .25, .75, 1
        assertArrayEquals(new double[]{0, 0.25, 0.75, 1}, resize("bilinear", new int[]{1, 1, 1, 2}, 1, 4, 0, 1), 1e-15);
    }

    @Test
    void bilinearDownsamplingAveragesNeighbours() {
        // 4 -> 2: sources 0.5 and 2.5
        assertArrayEquals(new double[]{0.5, 2.5}, resize("bilinear", new int[]{1, 1, 1, 4}, 1, 2, 0, 1, 2, 3), 1e-15);
    }

    @Test
    void bilinearIsSeparable() {
        // 2x2 -> 3x3: weights per axis are (1, 0), (0.5, 0.5)... source (i + .5) * 2/3 - .5 = -1/6 -> 0, 0.5, 7/6 -> 1 (clamped)
        double[] y = resize("bilinear", new int[]{1, 1, 2, 2}, 3, 3, 1, 2, 3, 4);
        assertArrayEquals(new double[]{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, y, 1e-12);
    }

    @Test
    void nearestTakesTheFloorOfTheScaledIndex() {
        // 2 -> 5: floor(i * 0.4) = 0, 0, 0, 1, 1
        assertArrayEquals(new double[]{7, 7, 7, 9, 9}, resize("nearest", new int[]{1, 1, 1, 2}, 1, 5, 7, 9), 0);
        // 5 -> 2: floor(i * 2.5) = 0, 2
        assertArrayEquals(new double[]{1, 3}, resize("nearest", new int[]{1, 1, 1, 5}, 1, 2, 1, 2, 3, 4, 5), 0);
    }

    @Test
    void planesAreResizedIndependently() {
        double[] y = resize("nearest", new int[]{2, 1, 1, 1}, 2, 2, 5, -1);
        assertArrayEquals(new double[]{5, 5, 5, 5, -1, -1, -1, -1}, y, 0);
    }

    @Test
    void theShapeRuleRefusesWhatItCannotResize() {
        OpDef op = Ops.RESIZE;
        Attrs ok = Attrs.of("size", new long[]{4, 4}, "mode", "bilinear");
        TensorType img = TensorType.of(DType.F32, 2, 3, 8, 8);
        assertEquals(TensorType.of(DType.F32, 2, 3, 4, 4), op.infer(List.of(img), ok, List.of()).get(0));
        assertThrows(ShapeException.class, () -> op.infer(List.of(TensorType.of(DType.F32, 3, 8, 8)), ok, List.of()));
        assertThrows(ShapeException.class, () -> op.infer(List.of(TensorType.of(DType.I32, 2, 3, 8, 8)), ok, List.of()));
        assertThrows(ShapeException.class, () -> op.infer(List.of(img), Attrs.of("size", new long[]{4, 4}, "mode", "cubic"), List.of()));
        assertThrows(ShapeException.class, () -> op.infer(List.of(img), Attrs.of("size", new long[]{0, 4}), List.of()));
        TensorType symbolicH = new TensorType(DType.F32, Shape.of(Dim.of(2), Dim.of(3), Dim.sym("H"), Dim.of(8)));
        ShapeException e = assertThrows(ShapeException.class, () -> op.infer(List.of(symbolicH), ok, List.of()));
        assertTrue(e.getMessage().contains("known at compile time"), e.getMessage());
    }
}
