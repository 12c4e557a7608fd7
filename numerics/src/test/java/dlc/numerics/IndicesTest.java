package dlc.numerics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Index resolution: [0, n) as is, [-n, 0) from the end, anything else refused naming both bounds. */
class IndicesTest {
    @Test
    void negativeIndicesCountFromTheEnd() {
        assertEquals(3, Indices.resolve("gather", 3, 5));
        assertEquals(4, Indices.resolve("gather", -1, 5));
        assertEquals(0, Indices.resolve("gather", -5, 5));
    }

    @Test
    void outOfRangeIndicesFailNamingTheOpAndTheBounds() {
        for (double bad : new double[]{5, -6, 1000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Indices.resolve("take", bad, 5));
            assertEquals("take index " + (long) bad + " is out of range for an axis of size 5 (valid: -5 to 4)", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Indices.resolve("gather", 0, 0), "an empty axis has no valid index");
    }
}
