package dlc.train;

import dlc.ir.Graph;
import dlc.ir.eval.Tensor;

import java.util.Map;
import java.util.Set;

/**
 * A training run's state (parameters, model and optimizer state, the step counter) kept where an
 * {@link Executor} computes, between the runs of its graphs: on the host for the interpreter and
 * the JVM backend ({@link Executor#resident}'s default), in device memory for the OpenCL backend.
 * A graph run against it reads every input it is not handed from here, and a step's UPDATE
 * outputs replace the values in place; the host sees the values only through {@link #read}, so a
 * device backend moves only the batch inputs in and the values the caller asks for out.
 */
public interface ResidentState extends AutoCloseable {
    /** Replaces (or adds) these values with host tensors. */
    void put(Map<String, Tensor> values);

    /** Every value, as of the last run (a device backend reads them back, waiting for it). */
    Map<String, Tensor> read();

    /**
     * Runs {@code graph} with each input taken from {@code inputs}, or else from this state, and
     * returns the outputs named in {@code wanted} (null: every output but the updates applied).
     * With {@code update}, each UPDATE output named like a value of this state replaces it,
     * rounded to what its dtype stores; without it the values stay as they are.
     */
    Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs, Set<String> wanted, boolean update);

    /** Lets the values go (a device backend may reuse their memory); read them first to keep them. */
    @Override default void close() { }
}
