package dlc.codegen.jvm;

import java.util.Map;

/** Lowerings of: argmax, argmin, random ops, cast fallbacks and anything else. */
final class MiscLowerings {
    private MiscLowerings() {}

    static void register(Map<String, Lowering> byOp) {
    }
}
