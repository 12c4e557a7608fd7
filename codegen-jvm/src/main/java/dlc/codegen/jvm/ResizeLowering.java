package dlc.codegen.jvm;

import dlc.ir.Node;
import dlc.ir.Value;
import dlc.runtime.Resize;

/**
 * Kernel call of {@code resize} (semantics: {@code dlc.ir.ops.ResizeOps}): one call of
 * {@link Resize#resize2d} with the operand and result shapes (symbolic batch and channel dims
 * are evaluated at bind) and the mode as a boolean.
 */
final class ResizeLowering {
    private ResizeLowering() {}

    static void resize(Node node, KernelEmitter e) {
        Value x = node.input(0), y = node.output();
        Class<?> arr = KernelEmitter.isFloat(x.type().dtype()) ? float[].class : double[].class;
        e.array(x);
        e.offset(x);
        e.shape(x.type().shape());
        e.array(y);
        e.offset(y);
        e.shape(y.type().shape());
        e.pushInt(node.attrs().has("mode") && "bilinear".equals(node.attrs().getString("mode")) ? 1 : 0);
        e.invoke(Resize.class, "resize2d", ConvLowerings.descriptor(Resize.class, "resize2d",
                arr, int.class, int[].class, arr, int.class, int[].class, boolean.class));
    }
}
