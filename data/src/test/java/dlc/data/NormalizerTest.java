package dlc.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class NormalizerTest {
    static final Column TRAIN = Column.floats("x", new float[]{0, 10, 5, 10, 10, 10, 2, 10}, 2); // feature 1 is constant

    @Test void minMaxPerFeatureMapsTrainingDataToUnitInterval() {
        Normalizer n = Normalizer.minMax(TRAIN, true);
        assertArrayEquals(new float[]{0, 0, 0.5f, 0, 1, 0, 0.2f, 0}, n.apply(TRAIN).floats(), 1e-6f);
        // Validation data uses the training statistics, so it may leave [0, 1].
        assertArrayEquals(new float[]{2, 1}, n.apply(Column.floats("x", new float[]{20, 11}, 2)).floats(), 1e-6f);
    }

    @Test void globalMinMaxUsesOneRange() {
        Normalizer n = Normalizer.minMax(Column.ints("px", new int[]{0, 255, 51, 102}, 2), false);
        assertArrayEquals(new float[]{0, 1, 0.2f, 0.4f}, n.apply(Column.ints("px", new int[]{0, 255, 51, 102}, 2)).floats(), 1e-6f);
        assertArrayEquals(new float[]{0f}, n.shift());
    }

    @Test void standardizeGivesZeroMeanUnitStd() {
        Normalizer n = Normalizer.standardize(TRAIN, true);
        float[] z = n.apply(TRAIN).floats();
        // Feature 0 values 0,5,10,2: mean 4.25, population variance (18.0625+0.5625+33.0625+5.0625)/4 = 14.1875.
        double std = Math.sqrt(14.1875);
        assertEquals((0 - 4.25) / std, z[0], 1e-6);
        assertEquals((10 - 4.25) / std, z[4], 1e-6);
        double mean = (z[0] + z[2] + z[4] + z[6]) / 4, var = (z[0] * z[0] + z[2] * z[2] + z[4] * z[4] + z[6] * z[6]) / 4 - mean * mean;
        assertEquals(0, mean, 1e-6);
        assertEquals(1, var, 1e-5);
        assertEquals(0f, z[1]); // the constant feature is only centred
    }

    @Test void fittingOnEmptyOrApplyingToTheWrongWidthFails() {
        assertThrows(IllegalArgumentException.class, () -> Normalizer.minMax(Column.floats("x", new float[0], 2), true));
        Normalizer n = Normalizer.standardize(TRAIN, true);
        String m = assertThrows(IllegalArgumentException.class, () -> n.apply(Column.floats("x", new float[3], 3))).getMessage();
        assertTrue(m.contains("2 features") && m.contains("3 values"), m);
    }

    @Test void appliesToADataSetColumn() {
        Dataset d = Dataset.classification("d", TRAIN, Column.ints("y", new int[]{0, 1, 0, 1}), 2);
        Dataset n = Normalizer.of(0, 0.1f).apply(d, Dataset.FEATURES);
        assertEquals(1f, n.features().floats()[1], 1e-6f);
        assertEquals(2, n.numClasses());
    }
}
