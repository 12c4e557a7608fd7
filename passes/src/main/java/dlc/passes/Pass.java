package dlc.passes;

import dlc.ir.Graph;
import dlc.ir.Module;

/**
 * A transformation from IR to IR. Passes never mutate their input (graphs are immutable); they
 * build new graphs. The {@link PassManager} verifies the result of every pass.
 */
public interface Pass {
    /** The name pipelines and {@code dlc ir --after NAME} use, e.g. {@code shape-inference}. */
    String name();

    /** Transforms one graph. */
    Graph run(Graph graph);

    /** Transforms every graph of a module independently; override when graphs depend on each other. */
    default Module run(Module module) {
        return new Module(module.name(), module.graphs().stream().map(this::run).toList());
    }
}
