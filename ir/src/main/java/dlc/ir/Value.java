package dlc.ir;

/**
 * An SSA value: a graph input (with a {@link Role}) or the i-th result of a node. Values are
 * compared by identity. The name is a hint for printing and for reporting (source variable
 * names, parameter paths such as {@code encoder.dense_1.w}); it never carries meaning for passes,
 * except on graph inputs, where it is the name callers bind.
 */
public final class Value {
    /** What a graph input is; node results are {@link #NODE}. */
    public enum Role { INPUT, PARAM, STATE, NODE }

    private final TensorType type;
    private final String name;
    private final Role role;
    private final Node producer;
    private final int index;

    private Value(TensorType type, String name, Role role, Node producer, int index) {
        this.type = type;
        this.name = name;
        this.role = role;
        this.producer = producer;
        this.index = index;
    }

    /** A graph input of the given role (INPUT, PARAM or STATE). */
    public static Value graphInput(String name, TensorType type, Role role) {
        if (role == Role.NODE) throw new IllegalArgumentException("graph inputs are INPUT, PARAM or STATE");
        return new Value(type, name, role, null, -1);
    }

    static Value result(Node producer, int index, TensorType type, String name) {
        return new Value(type, name, Role.NODE, producer, index);
    }

    public TensorType type() { return type; }

    public String name() { return name; }

    public Role role() { return role; }

    public boolean isGraphInput() { return producer == null; }

    /** The node that computes this value, or null for graph inputs. */
    public Node producer() { return producer; }

    /** Which result of the producer this is. */
    public int index() { return index; }

    @Override public String toString() { return (name != null ? name : "%?") + ": " + type; }
}
