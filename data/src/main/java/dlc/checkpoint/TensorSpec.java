package dlc.checkpoint;

import dlc.ir.DType;

import java.util.Arrays;

/** What a model expects of one stored tensor: its name, dtype and shape. */
public record TensorSpec(String name, DType dtype, int[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override public int[] shape() { return shape.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override public String toString() { return name + ": " + dtype + Arrays.toString(shape); }
}
