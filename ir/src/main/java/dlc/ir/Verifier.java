package dlc.ir;

import dlc.ir.ops.Ops;

import java.util.*;

/**
 * Checks the invariants every pass may rely on and every pass must keep:
 * <ul>
 *   <li>inputs are graph inputs (role INPUT, PARAM or STATE) with distinct, non-null names;</li>
 *   <li>SSA: every operand is defined earlier in the same graph (nested graphs see only their own
 *       inputs), and no value is defined twice;</li>
 *   <li>every op is the registered op of its name ({@link Ops});</li>
 *   <li>operand and nested-graph counts fit the op, and each node's declared result types equal
 *       what the op's shape rule ({@link OpDef#infer}) gives; a shape rule that throws is
 *       reported with its message (for scan, the rule also checks the body's signature);</li>
 *   <li>nested graphs verify recursively;</li>
 *   <li>outputs are defined, no two outputs share a role and a name, losses are scalars, and a
 *       gradient is named after an input of this graph and has that input's type.</li>
 * </ul>
 * Problems name the graph, the node index, the op and the node's source location.
 */
public final class Verifier {
    private Verifier() {}

    /** Thrown by {@link #verify}: every problem found, one per line in the message. */
    public static final class VerificationException extends RuntimeException {
        private final List<String> problems;

        VerificationException(List<String> problems) {
            super("IR verification failed:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }

    /** Throws {@link VerificationException} listing every problem in {@code g}. */
    public static void verify(Graph g) { throwIfAny(check(g)); }

    /** Throws {@link VerificationException} listing every problem in every graph of {@code m}. */
    public static void verify(Module m) { throwIfAny(check(m)); }

    /** Every problem in every graph of {@code m}; empty when it verifies. */
    public static List<String> check(Module m) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Graph g : m.graphs()) {
            if (!seen.add(g.name())) problems.add("module " + m.name() + ": two graphs are named " + g.name());
            problems.addAll(check(g));
        }
        return problems;
    }

    /** Every problem in {@code g} and its nested graphs; empty when it verifies. */
    public static List<String> check(Graph g) {
        List<String> problems = new ArrayList<>();
        check(g, "graph " + g.name(), Collections.newSetFromMap(new IdentityHashMap<>()), problems);
        return problems;
    }

    private static void throwIfAny(List<String> problems) {
        if (!problems.isEmpty()) throw new VerificationException(problems);
    }

    /** {@code defined} holds every value defined anywhere so far, to catch a definition repeated across graphs. */
    private static void check(Graph g, String where, Set<Value> defined, List<String> problems) {
        Set<Value> visible = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<String> inputNames = new HashSet<>();
        for (Value v : g.inputs()) {
            if (!v.isGraphInput() || v.role() == Value.Role.NODE)
                problems.add(where + ": input " + v + " is not a graph input but a node result");
            if (v.name() == null) problems.add(where + ": an input has no name");
            else if (!inputNames.add(v.name())) problems.add(where + ": two inputs are named " + v.name());
            if (!defined.add(v)) problems.add(where + ": input " + v + " is defined twice");
            visible.add(v);
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            String at = where + ", node " + i + " (" + n.op().name() + (n.loc().equals(SourceLoc.UNKNOWN) ? "" : " at " + n.loc()) + ")";
            node(n, at, visible, defined, problems);
        }
        Set<String> outputKeys = new HashSet<>();
        for (Graph.Output o : g.outputs()) {
            if (!visible.contains(o.value()))
                problems.add(where + ": output " + o.name() + " uses " + o.value() + ", which is not defined in this graph");
            if (!outputKeys.add(o.role() + " " + o.name()))
                problems.add(where + ": two " + o.role().name().toLowerCase(Locale.ROOT) + " outputs are named " + o.name());
            if (o.role() == Graph.Output.Role.LOSS && o.value().type().rank() != 0)
                problems.add(where + ": loss " + o.name() + " must be a scalar, got " + o.value().type());
            if (o.role() == Graph.Output.Role.GRAD) {
                Optional<Value> in = g.input(o.name());
                if (in.isEmpty()) problems.add(where + ": grad " + o.name() + " names no input of this graph");
                else if (!in.get().type().equals(o.value().type()))
                    problems.add(where + ": grad " + o.name() + " is " + o.value().type() + " but the input is " + in.get().type());
            }
        }
    }

    private static void node(Node n, String at, Set<Value> visible, Set<Value> defined, List<String> problems) {
        OpDef op = n.op();
        if (Ops.find(op.name()).orElse(null) != op) problems.add(at + ": op " + op.name() + " is not a registered op");
        for (int j = 0; j < n.inputs().size(); j++)
            if (!visible.contains(n.input(j)))
                problems.add(at + ": operand " + j + " (" + n.input(j) + ") is not defined before use in this graph");
        boolean regionsOk = n.regions().size() == op.regionCount();
        if (!regionsOk) problems.add(at + ": " + op.name() + " takes " + op.regionCount() + " nested graphs, got " + n.regions().size());
        for (int j = 0; j < n.regions().size(); j++)
            check(n.regions().get(j), at + ", nested graph " + j + " (" + n.regions().get(j).name() + ")", defined, problems);
        List<TensorType> declared = n.outputs().stream().map(Value::type).toList();
        if (regionsOk) {
            try {
                List<TensorType> inferred = op.infer(n.inputs().stream().map(Value::type).toList(), n.attrs(), n.regions());
                if (!inferred.equals(declared))
                    problems.add(at + ": declared result types " + declared + " but the shape rule gives " + inferred);
            } catch (ShapeException | IllegalArgumentException e) {
                // arity, attribute and shape mistakes all surface here, with the rule's own message
                problems.add(at + ": " + e.getMessage());
            } catch (RuntimeException e) {
                // an attribute of the wrong kind (a Long where a dtype belongs) fails inside the rule
                problems.add(at + ": the shape rule failed on attributes " + n.attrs() + ": " + e);
            }
        }
        for (int j = 0; j < n.outputs().size(); j++) {
            Value v = n.outputs().get(j);
            if (v.producer() != n || v.index() != j) problems.add(at + ": result " + j + " does not belong to its node");
            if (!defined.add(v)) problems.add(at + ": result " + j + " (" + v + ") is defined twice");
            visible.add(v);
        }
    }
}
