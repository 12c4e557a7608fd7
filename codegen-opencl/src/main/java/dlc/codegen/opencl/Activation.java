package dlc.codegen.opencl;

/**
 * The activation a kernel's epilogue applies while it stores a result, numbered as the JVM
 * runtime's {@code Gemm.ACT_*} (the fused matmul/conv epilogues). The kernels compute
 * {@code relu} as {@code v > 0 ? v : 0} (NaN gives 0, as on the JVM), {@code tanh} with OpenCL's
 * tanh, {@code sigmoid} as 1 / (1 + exp(-v)) for v >= 0 and exp(v) / (1 + exp(v)) below, the
 * JVM's form (neither overflows).
 */
public enum Activation { NONE, RELU, TANH, SIGMOID }
