package dlc.frontend.lower;

import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Did-you-mean: edit distance with swaps, and suggestions only when a name is close. */
class NamesTest {
    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(0, Names.distance("dense", "dense"));
        assertEquals(1, Names.distance("hiden", "hidden"));
        assertEquals(1, Names.distance("form", "from"));
        assertEquals(2, Names.distance("fomr", "from"));
        assertEquals(1, Names.distance("relu", "relo"));
        assertEquals(3, Names.distance("", "abc"));
    }

    @Test
    void suggestsTheClosestNameWithinAThirdOfItsLength() {
        assertEquals("units", Names.closest("unit", List.of("x", "units", "bias")));
        assertEquals("dropout", Names.closest("dropot", List.of("dense", "dropout")));
        assertNull(Names.closest("q", List.of("dense", "dropout")), "nothing is close to q");
        assertNull(Names.closest("dense", List.of("dense")), "a name does not suggest itself");
        assertEquals("did you mean 'softmax'?", Names.didYouMean("sofmax", List.of("softmax", "max")));
    }

    @Property
    void distanceIsASymmetricMetricBoundedByTheLongerLength(@ForAll("words") String a, @ForAll("words") String b) {
        int d = Names.distance(a, b);
        assertEquals(d, Names.distance(b, a));
        assertEquals(a.equals(b), d == 0);
        assertTrue(d <= Math.max(a.length(), b.length()));
        assertTrue(d >= Math.abs(a.length() - b.length()));
    }

    @Provide
    Arbitrary<String> words() { return Arbitraries.strings().withChars("abcd_").ofMaxLength(7); }
}
