package dlc.ir.eval;

import dlc.ir.Graph;
import dlc.ir.Shape;

/** What an op's reference semantics may ask of the interpreter that runs it. */
public interface EvalContext {
    /** Concrete sizes of a shape attribute, with symbols bound from the graph's actual inputs. */
    int[] resolve(Shape shape);

    /** Runs a nested graph (a scan body) on positional arguments; returns its outputs in order. */
    Tensor[] run(Graph graph, Tensor... args);
}
