package dlc.train;

import dlc.data.Column;
import dlc.data.Dataset;
import dlc.ir.Graph;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 10: labels outside the model's classes (5 for 2 logits, -1, 1.5) trained silently; now they are errors naming the sample. */
class LabelCheckTest {
    private static final Graph EVAL = TrainerTest.MLP.graph("eval").orElseThrow();

    private static Dataset data(Column y) {
        return Dataset.of("labels", Column.floats("x", new float[]{0, 0, 1, 1, 2, 2}, 2), y);
    }

    private static String error(Column y) {
        return assertThrows(TrainException.class, () -> LabelCheck.check(EVAL, null, data(y))).getMessage();
    }

    @Test void labelsMustBeClassesOfTheModel() {
        LabelCheck.check(EVAL, null, data(Column.ints("y", new int[]{0, 1, 1})));
        LabelCheck.check(EVAL, "y", data(Column.floats("y", new float[]{0, 1, 0})));
        assertEquals("data set 'labels', column 'y', sample 3: label 5 is not a class of the model: its output scores 2 classes (labels 0 to 1)",
                error(Column.ints("y", new int[]{0, 1, 5})));
        assertTrue(error(Column.ints("y", new int[]{-1, 0, 1})).contains("sample 1: label -1 is not a class"));
        assertEquals("data set 'labels', column 'y', sample 2: 1.5 is not a whole number, but model input 'y' is i32[B]",
                error(Column.floats("y", new float[]{0, 1.5f, 1})));
    }
}
