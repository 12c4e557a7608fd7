package dlc.codegen.jvm;

import java.util.Map;

/** Lowerings of: permute, broadcast_to (materialized), slice, concat, pad, reverse, gather, scatter_add, constant, iota. */
final class MovementLowerings {
    private MovementLowerings() {}

    static void register(Map<String, Lowering> byOp) {
    }
}
