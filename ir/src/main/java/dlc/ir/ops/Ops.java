package dlc.ir.ops;

import dlc.ir.OpDef;

import java.util.*;

/** The closed set of primitive ops, by name. Adding an op means adding it to one family's list. */
public final class Ops {
    private static final Map<String, OpDef> BY_NAME = new LinkedHashMap<>();

    static {
        for (List<OpDef> family : List.of(ElementwiseOps.ALL, ReduceOps.ALL, MovementOps.ALL, ContractionOps.ALL,
                RandomOps.ALL, ControlOps.ALL, ResizeOps.ALL))
            for (OpDef op : family)
                if (BY_NAME.put(op.name(), op) != null) throw new IllegalStateException("op " + op.name() + " defined twice");
    }

    private Ops() {}

    /** The op called {@code name}; throws IllegalArgumentException naming it when there is none. */
    public static OpDef get(String name) {
        OpDef op = BY_NAME.get(name);
        if (op == null) throw new IllegalArgumentException("unknown op '" + name + "'");
        return op;
    }

    public static Optional<OpDef> find(String name) { return Optional.ofNullable(BY_NAME.get(name)); }

    public static Collection<OpDef> all() { return Collections.unmodifiableCollection(BY_NAME.values()); }
}
