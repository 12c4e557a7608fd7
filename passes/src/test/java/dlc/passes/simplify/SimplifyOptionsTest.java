package dlc.passes.simplify;

import dlc.passes.PassManager;
import dlc.passes.Passes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The simplification passes are registered by name and read their options, rejecting bad ones clearly. */
class SimplifyOptionsTest {
    @Test
    void everyPassIsRegistered() {
        assertTrue(Passes.names().containsAll(List.of("fold-constants", "cse", "dce", "algebra", "fold-batch-norm", "simplify")), Passes.names().toString());
        assertEquals(List.of("simplify", "cse", "dce"), PassManager.parse("simplify{max-rounds=2}, cse, dce").passNames());
    }

    @Test
    void optionsAreRead() {
        assertEquals(7, ((ConstantFolding) PassManager.parse("fold-constants{max-elements=7}").passes().get(0)).maxElements());
    }

    @Test
    void badOptionsNameThePassAndTheOption() {
        assertEquals("cse takes no options, got [depth]",
                assertThrows(IllegalArgumentException.class, () -> PassManager.parse("cse{depth=2}")).getMessage());
        assertEquals("simplify: max-rounds=many must be an integer",
                assertThrows(IllegalArgumentException.class, () -> PassManager.parse("simplify{max-rounds=many}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PassManager.parse("fold-constants{cap=3}")).getMessage()
                .contains("unknown option 'cap'"));
    }
}
