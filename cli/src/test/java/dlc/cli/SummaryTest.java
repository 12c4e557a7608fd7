package dlc.cli;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SummaryTest {
    @Test
    void statisticsIgnoreNaNsAndCountThem() {
        Summary s = Summary.of(new Tensor(DType.F64, new int[]{5}, new double[]{1, Double.NaN, 3, Double.NaN, 5}));
        assertEquals(3, s.count());
        assertEquals(2, s.nans());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(3, s.mean());
        assertEquals(Math.sqrt(8.0 / 3), s.std(), 1e-15);
        assertEquals("v: f64[5]  min 1.00000  max 5.00000  mean 3.00000  std 1.63299  nan 2", s.line("v", "f64"));
    }

    @Test
    void allNaNAndEmptyTensorsHaveNoStatistics() {
        assertEquals("v: f32[2]  min -  max -  mean -  std -  nan 2",
                Summary.of(new Tensor(DType.F32, new int[]{2}, new double[]{Double.NaN, Double.NaN})).line("v", "f32"));
        assertEquals("e: f32[0, 3]  min -  max -  mean -  std -  nan 0", Summary.of(Tensor.zeros(DType.F32, 0, 3)).line("e", "f32"));
        assertEquals("s: f32[] = 2.50000", Summary.of(Tensor.scalar(DType.F32, 2.5)).line("s", "f32"));
        assertEquals("s: f64[] = NaN", Summary.of(Tensor.scalar(DType.F64, Double.NaN)).line("s", "f64"));
    }

    @Test
    void infinitiesAreShown() {
        String line = Summary.of(new Tensor(DType.F64, new int[]{2}, new double[]{Double.NEGATIVE_INFINITY, 1})).line("v", "f64");
        assertTrue(line.contains("min -Infinity  max 1.00000"), line);
    }
}
