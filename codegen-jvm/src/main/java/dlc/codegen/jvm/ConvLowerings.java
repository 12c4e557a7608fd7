package dlc.codegen.jvm;

import java.util.Map;

/** Lowerings of: conv2d, conv_transpose2d, max_pool2d, avg_pool2d, max_pool2d_scatter, max_pool2d_gather. */
final class ConvLowerings {
    private ConvLowerings() {}

    static void register(Map<String, Lowering> byOp) {
    }
}
