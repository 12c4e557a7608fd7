package dlc.bench;

import dlc.runtime.CompiledGraph;
import dlc.runtime.Signature;

import java.util.Arrays;
import java.util.List;

/** The JVM backend: {@link CompiledGraph#run(Object[], long[])}, the no-allocation path. */
final class JvmExecutor implements Executor {
    final CompiledGraph graph;
    private final List<In> inputs;
    private final List<Out> outputs;

    JvmExecutor(CompiledGraph graph) {
        this.graph = graph;
        Signature s = graph.signature();
        inputs = s.inputs().stream().map(p -> new In(p.name(), p.dtype(), Arrays.asList(p.dims()))).toList();
        outputs = s.outputs().stream().map(p -> new Out(p.name(), p.role(), p.updates())).toList();
    }

    @Override public List<String> symbols() { return graph.signature().symbols(); }

    @Override public List<In> inputs() { return inputs; }

    @Override public List<Out> outputs() { return outputs; }

    @Override public Object[] run(Object[] in, long[] symbols) { return graph.run(in, symbols); }
}
