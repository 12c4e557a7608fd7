package dlc.codegen.opencl;

import java.util.Map;

import static org.lwjgl.opencl.CL10.CL_DEVICE_MEM_BASE_ADDR_ALIGN;

/**
 * Whether sgemm.cl stages an operand's tile with float4 reads (its {@code VEC_A} / {@code VEC_B}
 * build options). The kernel reads a group of 4 floats through a {@code float4} pointer, which
 * must be 16-byte aligned, so the option is set only for a float operand whose every row starts
 * on a multiple of 4 floats: its element offset, its leading dimension and (batched) its batch
 * strides multiples of 4, in a buffer the device aligns to at least 16 bytes. Anything else
 * (double and integer matrices, odd offsets or leading dimensions) builds the scalar staging.
 * This is a build-time choice per binding, not a branch per element.
 */
final class VectorLoads {
    /** Floats per read. */
    static final int WIDTH = 4;

    private VectorLoads() {}

    /** Whether the buffers of {@code device} start on 16 bytes (CL_DEVICE_MEM_BASE_ADDR_ALIGN is in bits). */
    static boolean bufferAligned(ClDevice device) {
        return Devices.deviceInt(device.deviceId(), CL_DEVICE_MEM_BASE_ADDR_ALIGN) >= WIDTH * Float.BYTES * 8;
    }

    /** Whether an operand at element {@code offset} with row stride {@code ld} and batch {@code strides} starts every row on a multiple of 4 floats. */
    static boolean rowsAligned(long offset, long ld, long... strides) {
        if (offset % WIDTH != 0 || ld % WIDTH != 0) return false;
        for (long s : strides) if (s % WIDTH != 0) return false;
        return true;
    }

    /** Adds sgemm.cl's VEC_A and VEC_B defines. */
    static void define(Map<String, String> defines, boolean vecA, boolean vecB) {
        defines.put("VEC_A", vecA ? "1" : "0");
        defines.put("VEC_B", vecB ? "1" : "0");
    }
}
