package dlc.codegen.jvm;

import dlc.ir.Graph;

/** Writes the class of one graph (being built by the lead; see docs/jvm-backend.md). */
final class ClassEmitter {
    private ClassEmitter() {}

    static CompiledClasses emit(Graph graph, String className) {
        throw new UnsupportedOperationException("the JVM backend's class emitter is not written yet");
    }
}
