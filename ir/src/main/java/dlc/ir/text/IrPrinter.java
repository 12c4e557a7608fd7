package dlc.ir.text;

import dlc.ir.*;

import java.util.*;

/**
 * Prints modules and graphs in the IR text form that {@link IrParser} reads back:
 *
 * <pre>
 * module Mlp
 *
 * graph eval(%x: f32[B, 784], param %dense.w: f32[784, 256], state %bn.rm: f32[256]) {
 *   %0 = matmul(%x, %dense.w) : f32[B, 256]  # mlp.dl:5:3
 *   %h = relu(%0) : f32[B, 256]
 *   %2 = scan(%h0, %xs) {axis=1} : f32[B, 64], f32[B, T, 64] {
 *     ^body(%c: f32[B, 64], %x_t: f32[B, 32]) {
 *       ...
 *       yield %c2, %c2
 *     }
 *   }
 *   output probs = %h
 *   update bn.rm = %2
 * }
 * </pre>
 *
 * Graph inputs print with their names (quoted when not plain). A node result prints with its
 * sanitized name hint when that name is unique in its graph and not an input's name, otherwise
 * with a number; numbers count up through a whole printed graph, nested graphs included, so
 * {@code %3} means one value wherever it appears. Attributes print with {@link Attrs#format},
 * types as {@link TensorType#toString}, and a known source location as a trailing comment.
 * Outputs of a nested graph print as {@code yield} when they are all plain outputs named by
 * their position ({@code "0"}, {@code "1"}, ...), which is what the parser makes of a yield.
 */
public final class IrPrinter {
    private final StringBuilder out = new StringBuilder();
    private final Map<Value, String> names = new IdentityHashMap<>();
    private final Set<Value> numbered = Collections.newSetFromMap(new IdentityHashMap<>());
    private int counter;

    private IrPrinter() {}

    /** The text of a whole module: its header, then every graph, separated by blank lines. */
    public static String print(dlc.ir.Module m) {
        IrPrinter p = new IrPrinter();
        p.out.append("module ").append(Names.spell(m.name())).append('\n');
        for (Graph g : m.graphs()) {
            p.out.append('\n');
            p.graph(g, "graph ", 0);
        }
        return p.out.toString();
    }

    /** The text of one graph, as {@link IrParser#parseGraph} reads it. */
    public static String print(Graph g) {
        IrPrinter p = new IrPrinter();
        p.graph(g, "graph ", 0);
        return p.out.toString();
    }

    private void graph(Graph g, String keyword, int indent) {
        nameValues(g);
        indent(indent).append(keyword).append(Names.spell(g.name())).append('(');
        for (int i = 0; i < g.inputs().size(); i++) {
            Value v = g.inputs().get(i);
            if (i > 0) out.append(", ");
            switch (v.role()) {
                case PARAM -> out.append("param ");
                case STATE -> out.append("state ");
                default -> { }
            }
            out.append(ref(v)).append(": ").append(v.type());
        }
        out.append(") {\n");
        for (Node n : g.nodes()) node(n, indent + 1);
        outputs(g, indent + 1, !keyword.startsWith("graph"));
        indent(indent).append("}\n");
    }

    /** Chooses every value's printed name before printing, so uniqueness is judged per graph. */
    private void nameValues(Graph g) {
        Set<String> taken = new HashSet<>();
        for (Value v : g.inputs()) if (v.name() != null) taken.add(v.name());
        Map<String, Integer> hintCount = new HashMap<>();
        for (Node n : g.nodes())
            for (Value v : n.outputs()) {
                String h = Names.sanitize(v.name());
                if (h != null) hintCount.merge(h, 1, Integer::sum);
            }
        for (Value v : g.inputs()) {
            if (v.name() != null) names.put(v, v.name());
            else number(v, taken);
        }
        for (Node n : g.nodes())
            for (Value v : n.outputs()) {
                String h = Names.sanitize(v.name());
                if (h != null && hintCount.get(h) == 1 && !taken.contains(h)) names.put(v, h);
            }
        // numbers go to the rest in order; a nested graph's values are numbered when it prints
        for (Node n : g.nodes())
            for (Value v : n.outputs()) if (!names.containsKey(v)) number(v, taken);
    }

    /** The next number that no input of the graph is named, so quoted {@code %"0"} never meets {@code %0}. */
    private void number(Value v, Set<String> taken) {
        String s;
        do s = Integer.toString(counter++); while (taken.contains(s));
        names.put(v, s);
        numbered.add(v);
    }

    private String ref(Value v) {
        String n = names.get(v);
        if (n == null) return "%<undefined " + v + ">"; // an unverified graph; the parser rejects this
        return "%" + (numbered.contains(v) ? n : Names.spell(n));
    }

    private void node(Node n, int indent) {
        indent(indent);
        if (!n.outputs().isEmpty()) {
            StringJoiner res = new StringJoiner(", ");
            for (Value v : n.outputs()) res.add(ref(v));
            out.append(res).append(" = ");
        }
        out.append(n.op().name()).append('(');
        StringJoiner args = new StringJoiner(", ");
        for (Value v : n.inputs()) args.add(ref(v));
        out.append(args).append(')');
        if (!n.attrs().keys().isEmpty()) {
            StringJoiner a = new StringJoiner(", ", " {", "}");
            for (String k : n.attrs().keys()) a.add(Names.spell(k) + "=" + Attrs.format(n.attrs().get(k)));
            out.append(a);
        }
        if (!n.outputs().isEmpty()) {
            StringJoiner types = new StringJoiner(", ", " : ", "");
            for (Value v : n.outputs()) types.add(v.type().toString());
            out.append(types);
        }
        if (!n.regions().isEmpty()) out.append(" {");
        if (!n.loc().equals(SourceLoc.UNKNOWN)) out.append("  # ").append(n.loc());
        out.append('\n');
        if (n.regions().isEmpty()) return;
        for (Graph r : n.regions()) graph(r, "^", indent + 1);
        indent(indent).append("}\n");
    }

    private void outputs(Graph g, int indent, boolean nested) {
        List<Graph.Output> outs = g.outputs();
        boolean positional = nested && !outs.isEmpty();
        for (int i = 0; i < outs.size() && positional; i++)
            positional = outs.get(i).role() == Graph.Output.Role.OUTPUT && Integer.toString(i).equals(outs.get(i).name());
        if (positional) {
            StringJoiner j = new StringJoiner(", ", "yield ", "\n");
            for (Graph.Output o : outs) j.add(ref(o.value()));
            indent(indent).append(j);
            return;
        }
        for (Graph.Output o : outs) {
            String kw = switch (o.role()) {
                case OUTPUT -> "output ";
                case LOSS -> "loss ";
                case UPDATE -> "update ";
                case GRAD -> "grad ";
            };
            indent(indent).append(kw).append(Names.spell(o.name() == null ? "" : o.name()))
                    .append(" = ").append(ref(o.value())).append('\n');
        }
    }

    private StringBuilder indent(int n) {
        return out.append("  ".repeat(n));
    }
}
