package dlc.codegen.jvm;

import dlc.ir.Node;

/**
 * How one op runs on the JVM when it is not generated inline by the loop-nest emitter: a call of
 * a runtime kernel. Every operand and result of the node is materialized (has an array and an
 * offset); the lowering reads operands and writes all results, which never alias its operands.
 * Implementations are stateless and registered by op name in {@link Lowerings}.
 */
@FunctionalInterface
public interface Lowering {
    void emit(Node node, KernelEmitter e);
}
