package dlc.codegen.opencl;

/**
 * One entry of a compiled graph's launch list: a generated kernel, a library kernel, an upload.
 * {@link #prepare} resolves everything that depends on the binding (sizes, arena offsets) once,
 * and the returned action only enqueues (no waiting).
 */
@FunctionalInterface
interface ClStep {
    Runnable prepare(ClBinding b);
}
