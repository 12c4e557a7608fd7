package dlc.runtime;

import dlc.numerics.Indices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** gather's indices: negative ones count from the end (NumPy, ONNX), anything else out of range fails with both bounds. */
class IndexingTest {
    @Test void negativeIndicesCountFromTheEnd() {
        assertEquals(4, Indices.resolve("gather", -1, 5));
        assertEquals(0, Indices.resolve("gather", -5, 5));
        assertEquals(3, Indices.resolve("gather", 3, 5));
        float[] y = new float[3];
        Indexing.gather(new float[]{10, 11, 12, 13, 14}, 0, 1, 5, 1, new double[]{-1, 0, -5}, 0, 3, y, 0);
        assertArrayEquals(new float[]{14, 10, 10}, y);
        double[] s = new double[5];
        Indexing.scatterAdd(new double[5], 0, 1, 5, 1, new double[]{-1, 4}, 0, 2, new double[]{1, 2}, 0, s, 0);
        assertArrayEquals(new double[]{0, 0, 0, 0, 3}, s, "-1 and 4 name the same cell");
    }

    @Test void indicesOutsideMinusNToNFail() {
        for (double bad : new double[]{5, -6, 1000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Indices.resolve("gather", bad, 5));
            assertEquals("gather index " + (long) bad + " is out of range for an axis of size 5 (valid: -5 to 4)", e.getMessage());
        }
        float[] y = {7, 7};
        assertThrows(IllegalArgumentException.class,
                () -> Indexing.gather(new float[5], 0, 1, 5, 1, new double[]{0, 9}, 0, 2, y, 0));
        assertArrayEquals(new float[]{7, 7}, y, "nothing is written before every index is checked");
    }
}
