package dlc.cli;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class InputBinderTest {
    private static Value input(String name, DType dtype, Dim... dims) {
        return Value.graphInput(name, new TensorType(dtype, Shape.of(dims)), Value.Role.INPUT);
    }

    private static final Dim B = Dim.sym("B"), T = Dim.sym("T");

    @Test
    void compoundDimsAreCheckedAgainstBoundSymbols() {
        Value x = input("x", DType.F32, B, T.times(2));
        InputBinder ok = new InputBinder(Map.of("T", 5L), null);
        ok.bindGiven(x, Tensor.zeros(DType.F32, 3, 10), "x.npy");
        assertEquals(Map.of("T", 5L, "B", 3L), ok.dims());

        InputBinder wrong = new InputBinder(Map.of("T", 4L), null);
        UserError e = assertThrows(UserError.class, () -> wrong.bindGiven(x, Tensor.zeros(DType.F32, 3, 10), "x.npy"));
        assertEquals("input 'x' expects shape [B, 2*T] (T = 4 from --dim T=4), but x.npy has shape [3, 10]", e.getMessage());

        InputBinder unknown = new InputBinder(Map.of(), null);
        UserError u = assertThrows(UserError.class, () -> unknown.bindGiven(x, Tensor.zeros(DType.F32, 3, 10), "x.npy"));
        assertTrue(u.getMessage().contains("the size of T is unknown; give it with --dim T=SIZE"), u.getMessage());
    }

    @Test
    void aSymbolBoundByOneInputConstrainsTheNext() {
        InputBinder b = new InputBinder(Map.of(), null);
        b.bindGiven(input("x", DType.F32, B, Dim.of(3)), Tensor.zeros(DType.F32, 2, 3), "x.npy");
        UserError e = assertThrows(UserError.class, () -> b.bindGiven(input("y", DType.I32, B), Tensor.zeros(DType.I64, 5), "y.npy"));
        assertEquals("input 'y' expects shape [B] (B = 2 from input 'x' from x.npy), but y.npy has shape [5]", e.getMessage());
    }

    @Test
    void rankMismatchAndConstantDimsAreReported() {
        InputBinder b = new InputBinder(Map.of(), 4);
        Value x = input("x", DType.F32, B, Dim.of(3));
        assertEquals("input 'x' expects shape [B, 3], but x.npy has shape [4]",
                assertThrows(UserError.class, () -> b.bindGiven(x, Tensor.zeros(DType.F32, 4), "x.npy")).getMessage());
        assertEquals("input 'x' expects shape [B, 3], but x.npy has shape [4, 2]",
                assertThrows(UserError.class, () -> b.bindGiven(x, Tensor.zeros(DType.F32, 4, 2), "x.npy")).getMessage());
    }

    @Test
    void givenTensorsTakeTheDeclaredDtypeWithinAKind() {
        InputBinder b = new InputBinder(Map.of(), null);
        Tensor t = b.bindGiven(input("k", DType.I64, B), new Tensor(DType.I32, new int[]{2}, new double[]{1, 2}), "k.npy");
        assertEquals(DType.I64, t.dtype());
        assertArrayEquals(new double[]{1, 2}, t.data());
        assertThrows(UserError.class, () -> b.bindGiven(input("m", DType.BOOL, B), Tensor.zeros(DType.I32, 2), "m.npy"));
    }

    @Test
    void defaultBatchAppliesOnlyWhenNothingBoundB() {
        InputBinder free = new InputBinder(Map.of(), null);
        free.defaultBatch(2);
        assertArrayEquals(new int[]{2, 3}, free.shapeOf(input("x", DType.F32, B, Dim.of(3))));
        InputBinder given = new InputBinder(Map.of(), 7);
        given.defaultBatch(2);
        assertArrayEquals(new int[]{7, 6}, given.shapeOf(input("x", DType.F32, B, B.minus(1))));
        assertThrows(UserError.class, () -> new InputBinder(Map.of("B", 3L), 4));
    }
}
