package dlc.passes.simplify;

import dlc.ir.*;

import java.util.*;

/**
 * A {@code scan} node cut down to what its live results need (see {@link DeadCodeElimination}):
 * {@code node} is the new scan (its operands still values of the old graph) and {@code sources[j]}
 * is the index of the old result that new result j stands for.
 */
record TrimmedScan(Node node, int[] sources) {
    /**
     * Trims scan {@code n} given which of its results are used; null when nothing changes (nor in
     * its body). Results are the final carries, then the stacked ys, in the order of the body's
     * outputs; body inputs are carries, then one step of each x, then captured values.
     */
    static TrimmedScan trim(Node n, boolean[] live, DeadCodeElimination dce) {
        int nc = (int) n.attrs().getLong("num_carries"), nx = (int) n.attrs().getLong("num_xs");
        Graph body = n.regions().get(0);
        int nOut = body.outputs().size(), nIn = body.inputs().size();
        boolean[] keepOut = live.clone();
        Set<Value> reached;
        // a carry stays when its result is used or a kept output reads it (through earlier steps)
        while (true) {
            reached = reached(body, keepOut);
            boolean grew = false;
            for (int i = 0; i < nc; i++)
                if (!keepOut[i] && reached.contains(body.inputs().get(i))) grew = keepOut[i] = true;
            if (!grew) break;
        }
        boolean[] keepIn = new boolean[nIn];
        for (int i = 0; i < nIn; i++) keepIn[i] = i < nc ? keepOut[i] : reached.contains(body.inputs().get(i));
        Attrs attrs = n.attrs();
        int keptXs = count(keepIn, nc, nc + nx);
        if (nx > 0 && keptXs == 0) {
            Dim steps = steps(n, nc);
            if (steps.isConst()) {
                if (!attrs.has("length")) attrs = attrs.with("length", steps.value());
            } else keepIn[nc] = true; // the step count is symbolic: it comes from this x
        }
        boolean all = true;
        for (boolean k : keepOut) all &= k;
        for (boolean k : keepIn) all &= k;
        if (all) {
            Graph b = dce.run(body);
            if (b == body) return null;
            Node nn = new Node(n.op(), n.inputs(), n.attrs(), List.of(b), types(n.outputs()), names(n.outputs()), n.loc());
            int[] id = new int[nOut];
            for (int j = 0; j < nOut; j++) id[j] = j;
            return new TrimmedScan(nn, id);
        }
        List<Value> inputs = new ArrayList<>(), operands = new ArrayList<>();
        for (int i = 0; i < nIn; i++)
            if (keepIn[i]) {
                inputs.add(body.inputs().get(i));
                operands.add(n.input(i));
            }
        boolean positional = true;
        for (int j = 0; j < nOut; j++) positional &= body.outputs().get(j).name().equals(String.valueOf(j));
        List<Graph.Output> outputs = new ArrayList<>();
        List<Value> results = new ArrayList<>();
        int[] sources = new int[count(keepOut, 0, nOut)];
        for (int j = 0, k = 0; j < nOut; j++)
            if (keepOut[j]) {
                Graph.Output o = body.outputs().get(j);
                outputs.add(new Graph.Output(positional ? String.valueOf(k) : o.name(), o.role(), o.value()));
                results.add(n.outputs().get(j));
                sources[k++] = j;
            }
        Graph b = dce.run(new Graph(body.name(), inputs, body.nodes(), outputs));
        attrs = attrs.with("num_carries", (long) count(keepOut, 0, nc)).with("num_xs", (long) count(keepIn, nc, nc + nx));
        Node nn = new Node(n.op(), operands, attrs, List.of(b), types(results), names(results), n.loc());
        return new TrimmedScan(nn, sources);
    }

    /** The values of {@code body} that the outputs marked in {@code keep} depend on. */
    private static Set<Value> reached(Graph body, boolean[] keep) {
        Set<Value> used = DeadCodeElimination.identitySet();
        for (int j = 0; j < keep.length; j++) if (keep[j]) used.add(body.outputs().get(j).value());
        for (int i = body.nodes().size() - 1; i >= 0; i--) {
            Node m = body.nodes().get(i);
            if (m.outputs().stream().anyMatch(used::contains)) used.addAll(m.inputs());
        }
        return used;
    }

    /** The number of steps: the first x's size on the scanned axis. */
    private static Dim steps(Node n, int nc) {
        TensorType x = n.input(nc).type();
        long axis = n.attrs().getLong("axis", 0);
        return x.shape().dim((int) (axis < 0 ? axis + x.rank() : axis));
    }

    private static int count(boolean[] b, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) if (b[i]) c++;
        return c;
    }

    private static List<TensorType> types(List<Value> vs) { return vs.stream().map(Value::type).toList(); }

    private static List<String> names(List<Value> vs) { return vs.stream().map(Value::name).toList(); }
}
