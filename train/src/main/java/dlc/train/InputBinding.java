package dlc.train;

import dlc.data.Column;
import dlc.data.Dataset;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds data set columns to a graph's model inputs by name ({@code x}, {@code y}, ...). The
 * leading axis of every input is the batch (its symbol, usually B, is bound by the batch's size);
 * a column whose samples have the right number of values but another shape (Fashion-MNIST's
 * [28, 28] for an input [B, 784]) is reshaped; a column's dtype is converted to the input's.
 * The random key input {@value Trainer#RNG} is not data and is skipped.
 */
public final class InputBinding {
    private final List<Value> inputs;
    private final Map<String, int[]> sampleShapes;

    private InputBinding(List<Value> inputs, Map<String, int[]> sampleShapes) {
        this.inputs = inputs;
        this.sampleShapes = sampleShapes;
    }

    /** The model inputs of {@code g} (role INPUT, except the random key). */
    public static List<Value> modelInputs(Graph g) {
        return g.inputs(Value.Role.INPUT).stream().filter(v -> !v.name().equals(Trainer.RNG)).toList();
    }

    /**
     * Checks that {@code data} has a column for every model input of {@code g}, with samples of the
     * right size; a {@link TrainException} naming the model inputs and the data set's columns otherwise.
     */
    public static InputBinding of(Graph g, Dataset data) {
        List<Value> ins = modelInputs(g);
        List<String> names = ins.stream().map(Value::name).toList();
        List<String> missing = new ArrayList<>();
        for (String n : names) if (!data.has(n)) missing.add(n);
        if (!missing.isEmpty())
            throw new TrainException("the data set '" + data.name() + "' does not fit the model: the model's inputs are " + names
                    + " but the data set's columns are " + data.columnNames() + " (missing " + missing + ")");
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Value v : ins) {
            Column c = data.column(v.name());
            int rank = v.type().rank();
            if (rank == 0) throw new TrainException("model input '" + v.name() + "' is a scalar (" + v.type() + "); data inputs need a leading batch axis");
            List<Dim> rest = v.type().shape().dims().subList(1, rank);
            int[] want = null;
            if (rest.stream().allMatch(Dim::isConst)) {
                want = rest.stream().mapToInt(d -> (int) d.value()).toArray();
                if (Tensor.numel(want) != c.sampleSize())
                    throw new TrainException("model input '" + v.name() + "' is " + v.type() + " but column '" + c.name() + "' of data set '"
                            + data.name() + "' has samples of shape " + Arrays.toString(c.sampleShape()) + " (" + c.sampleSize() + " values, need "
                            + Tensor.numel(want) + ")");
            }
            shapes.put(v.name(), want);
        }
        return new InputBinding(ins, shapes);
    }

    /** The input tensors for one batch (a data set of the batch's rows). */
    public Map<String, Tensor> feed(Dataset batch) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Value v : inputs) {
            Column c = batch.column(v.name());
            int[] want = sampleShapes.get(v.name());
            if (want != null && !Arrays.equals(want, c.sampleShape())) c = c.reshape(want);
            Tensor t = c.toTensor();
            if (t.dtype() != v.type().dtype()) t = t.withDType(v.type().dtype());
            m.put(v.name(), t);
        }
        return m;
    }
}
