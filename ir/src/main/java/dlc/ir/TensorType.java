package dlc.ir;

/** The type of every IR value: element type and shape, e.g. {@code f32[B, 784]}. */
public record TensorType(DType dtype, Shape shape) {
    public static TensorType of(DType dtype, long... sizes) { return new TensorType(dtype, Shape.of(sizes)); }

    public static TensorType scalar(DType dtype) { return new TensorType(dtype, Shape.SCALAR); }

    public int rank() { return shape.rank(); }

    public TensorType withShape(Shape s) { return new TensorType(dtype, s); }

    public TensorType withDType(DType d) { return new TensorType(d, shape); }

    /** {@code f32[B, 784]}; a scalar prints as {@code f32[]}. */
    @Override public String toString() { return dtype.text() + shape; }
}
