package dlc.ir;

import java.util.*;

/**
 * What one model compiles to: named graphs that share parameter and state names, e.g.
 * {@code init} (computes every parameter's and state's initial value from the RNG key),
 * {@code eval} (forward in evaluation mode) and {@code train} (forward in training mode, whose
 * outputs include losses and state updates). The text form prints every graph in order.
 */
public record Module(String name, List<Graph> graphs) {
    public Module {
        graphs = List.copyOf(graphs);
    }

    public Optional<Graph> graph(String graphName) {
        return graphs.stream().filter(g -> g.name().equals(graphName)).findFirst();
    }
}
