package dlc.ir;

import java.util.*;

/** An ordered list of dims; rank 0 is a scalar. Immutable. */
public record Shape(List<Dim> dims) {
    public Shape {
        dims = List.copyOf(dims);
    }

    public static final Shape SCALAR = new Shape(List.of());

    public static Shape of(long... sizes) {
        List<Dim> d = new ArrayList<>();
        for (long s : sizes) d.add(Dim.of(s));
        return new Shape(d);
    }

    public static Shape of(Dim... dims) { return new Shape(Arrays.asList(dims)); }

    public int rank() { return dims.size(); }

    public Dim dim(int axis) { return dims.get(axis); }

    /** Normalizes a possibly negative axis; throws IllegalArgumentException when out of range. */
    public int axis(long axis) {
        long a = axis < 0 ? axis + rank() : axis;
        if (a < 0 || a >= rank()) throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank());
        return (int) a;
    }

    public boolean isConcrete() { return dims.stream().allMatch(Dim::isConst); }

    /** Product of all dims (symbolic when any dim is). */
    public Dim numel() {
        Dim n = Dim.of(1);
        for (Dim d : dims) n = n.times(d);
        return n;
    }

    /**
     * Concrete sizes, resolving symbols through env. A size that no Java array can have (negative,
     * or more elements than {@link Sizes#MAX_ELEMENTS}), a dim beyond 64 bits or one that divides
     * by zero is a {@link ShapeException} naming this shape and the symbols' values.
     */
    public int[] eval(Map<String, Long> env) {
        long[] sizes = Sizes.evalChecked(this, env);
        int[] out = new int[sizes.length];
        for (int i = 0; i < out.length; i++) out[i] = (int) sizes[i];
        return out;
    }

    public Shape substitute(Map<String, Dim> env) {
        return new Shape(dims.stream().map(d -> d.substitute(env)).toList());
    }

    public Set<String> symbols() {
        Set<String> s = new TreeSet<>();
        for (Dim d : dims) s.addAll(d.symbols());
        return s;
    }

    /** {@code [B, 784]}; the empty list prints as {@code []}. */
    @Override public String toString() {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (Dim d : dims) j.add(d.toString());
        return j.toString();
    }
}
