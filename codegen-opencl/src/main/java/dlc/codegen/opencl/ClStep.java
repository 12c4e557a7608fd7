package dlc.codegen.opencl;

/**
 * One entry of a compiled graph's launch list: a generated kernel, a library kernel, an upload.
 * {@link #prepare} resolves everything that depends on the binding (sizes, arena offsets) once,
 * and the returned action only enqueues (no waiting).
 */
@FunctionalInterface
interface ClStep {
    Runnable prepare(ClBinding b);

    /**
     * Bytes of device scratch this step needs under the binding {@code env} (an index kernel's
     * error word and links), outside the memory plan: placed after the graph inputs, found with
     * {@link ClBinding#scratchBytesOffset()} while preparing.
     */
    default long scratchBytes(java.util.Map<String, Long> env) { return 0; }
}
