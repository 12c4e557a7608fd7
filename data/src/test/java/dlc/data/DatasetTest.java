package dlc.data;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DatasetTest {
    @Test void columnsConvertToAndFromTensors() {
        Column c = Column.floats("x", new float[]{1, 2, 3, 4, 5, 6}, 3);
        Tensor t = c.toTensor();
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new int[]{2, 3}, t.shape());
        assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6}, t.data());
        Column back = Column.fromTensor("x", t);
        assertArrayEquals(c.floats(), back.floats());
        Column ints = Column.fromTensor("y", new Tensor(DType.I64, new int[]{2}, new double[]{3, 4}));
        assertArrayEquals(new int[]{3, 4}, ints.ints());
        assertThrows(IllegalArgumentException.class, () -> Column.fromTensor("y", new Tensor(DType.I32, new int[]{1}, new double[]{0.5})));
    }

    @Test void gatherSliceAndReshape() {
        Column c = Column.ints("t", new int[]{0, 1, 10, 11, 20, 21}, 2);
        assertArrayEquals(new int[]{20, 21, 0, 1, 20, 21}, c.gather(new int[]{2, 0, 2}).ints());
        assertArrayEquals(new int[]{10, 11}, c.slice(1, 2).ints());
        assertArrayEquals(new int[]{3, 1, 2}, c.reshape(1, 2).shape());
        assertThrows(IllegalArgumentException.class, () -> c.reshape(3));
        assertThrows(IndexOutOfBoundsException.class, () -> c.gather(new int[]{3}));
        assertThrows(IllegalArgumentException.class, () -> Column.floats("x", new float[5], 2));
    }

    @Test void dataSetChecksItsColumnsAndLabels() {
        Column x = Column.floats("x", new float[4], 2), y = Column.ints("y", new int[]{0, 1});
        Dataset d = Dataset.classification("d", x, y, 2);
        assertEquals(List.of("x", "y"), d.columnNames());
        String m = assertThrows(IllegalArgumentException.class, () -> d.column("mask")).getMessage();
        assertTrue(m.contains("'mask'") && m.contains("[x, y]"), m);
        assertThrows(IllegalArgumentException.class, () -> Dataset.of("bad", x, Column.ints("y", new int[]{0, 1, 2})));
        m = assertThrows(IllegalArgumentException.class, () -> Dataset.classification("d", x, Column.ints("y", new int[]{0, 2}), 2)).getMessage();
        assertTrue(m.contains("label 2 of sample 1"), m);
        assertEquals(List.of("x", "y"), List.copyOf(d.tensors().keySet()));
        assertEquals(new Tensor(DType.I32, new int[]{2}, new double[]{0, 1}), d.tensors().get("y"));
        Dataset sub = d.subset(new int[]{1});
        assertEquals(1, sub.size());
        assertEquals(2, sub.numClasses());
    }
}
