package dlc.train;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Token-level accuracy counts every position; masked accuracy only the positions its mask keeps. */
class MaskedAccuracyTest {
    /** Scores [1, 4, 3] whose argmaxes are 2, 0, 1, 1; labels 2, 0, 0, 0 (right, right, wrong, wrong). */
    static final Tensor SCORES = new Tensor(DType.F32, new int[]{1, 4, 3}, new double[]{
            0.1, 0.2, 0.7,
            0.8, 0.1, 0.1,
            0.2, 0.6, 0.2,
            0.3, 0.4, 0.3});
    static final Tensor LABELS = new Tensor(DType.I32, new int[]{1, 4}, new double[]{2, 0, 0, 0});

    @Test void everyPositionCountsWithoutAMask() {
        assertArrayEquals(new long[]{2, 4}, Evaluator.countCorrect(SCORES, LABELS, null));
    }

    @Test void theMaskKeepsOnlyItsNonzeroPositions() {
        Tensor mask = new Tensor(DType.F32, new int[]{1, 4}, new double[]{1, 0, 1, 0});
        assertArrayEquals(new long[]{1, 2}, Evaluator.countCorrect(SCORES, LABELS, mask), "positions 0 (right) and 2 (wrong)");
        Tensor wrong = new Tensor(DType.F32, new int[]{1, 3}, new double[]{1, 1, 1});
        TrainException e = assertThrows(TrainException.class, () -> Evaluator.countCorrect(SCORES, LABELS, wrong));
        assertTrue(e.getMessage().contains("masked accuracy needs a mask of the labels' shape"), e.getMessage());
    }
}
