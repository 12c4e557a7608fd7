package dlc.codegen.jvm;

import java.util.Map;

/** Lowerings of: matmul. */
final class GemmLowerings {
    private GemmLowerings() {}

    static void register(Map<String, Lowering> byOp) {
    }
}
