package dlc.ir.eval;

import dlc.ir.*;

import java.util.*;

/**
 * The float64 reference interpreter: runs a graph node by node with each op's reference
 * semantics. Clarity over speed: it is the oracle every backend and pass is compared against.
 * Symbolic dims ({@code B}, {@code T}) are bound from the actual input shapes when a run starts.
 */
public final class Interpreter {
    private Interpreter() {}

    /** Runs {@code g} with inputs bound by name (inputs, params and state alike); returns outputs by name. */
    public static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
        Tensor[] args = new Tensor[g.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            Value v = g.inputs().get(i);
            args[i] = inputs.get(v.name());
            if (args[i] == null) throw new IllegalArgumentException("graph " + g.name() + " needs a value for '" + v.name() + "' (" + v.type() + ")");
        }
        Tensor[] out = run(g, args, new HashMap<>(), true);
        Map<String, Tensor> res = new LinkedHashMap<>();
        for (int i = 0; i < out.length; i++) res.put(g.outputs().get(i).name(), out[i]);
        return res;
    }

    /** Runs {@code g} on positional arguments; {@code dims} holds symbols bound by an enclosing graph. */
    public static Tensor[] run(Graph g, Tensor[] args, Map<String, Long> dims) { return run(g, args, dims, false); }

    /** checkSizes: first check every value's size under the bound symbols ({@link Sizes#check}), once per top-level run. */
    private static Tensor[] run(Graph g, Tensor[] args, Map<String, Long> dims, boolean checkSizes) {
        if (args.length != g.inputs().size())
            throw new IllegalArgumentException("graph " + g.name() + " takes " + g.inputs().size() + " arguments, got " + args.length);
        Map<String, Long> env = new HashMap<>(dims);
        Map<Value, Tensor> vals = new IdentityHashMap<>();
        for (int i = 0; i < args.length; i++) {
            Value v = g.inputs().get(i);
            bind(v, args[i], env);
            vals.put(v, args[i]);
        }
        if (checkSizes) Sizes.check(g, env);
        EvalContext ctx = new EvalContext() {
            @Override public int[] resolve(Shape shape) { return shape.eval(env); }

            @Override public Tensor[] run(Graph body, Tensor... a) { return Interpreter.run(body, a, env); }
        };
        for (Node n : g.nodes()) {
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) in[i] = vals.get(n.input(i));
            Tensor[] out;
            try {
                out = n.op().eval(in, n.attrs(), n.regions(), ctx);
            } catch (RuntimeException e) {
                throw new EvalException(n, e);
            }
            for (int i = 0; i < out.length; i++) vals.put(n.outputs().get(i), out[i]);
        }
        Tensor[] res = new Tensor[g.outputs().size()];
        for (int i = 0; i < res.length; i++) res[i] = vals.get(g.outputs().get(i).value());
        return res;
    }

    /** Checks an argument against its declared type, binding symbols on first sight. */
    private static void bind(Value v, Tensor t, Map<String, Long> env) {
        Shape s = v.type().shape();
        int[] actual = t.shape();
        if (actual.length != s.rank())
            throw new IllegalArgumentException("input '" + v.name() + "' expects shape " + s + " (rank " + s.rank() + "), got " + Arrays.toString(actual));
        // plain symbols first, then compound dims are checked against what they bound
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < actual.length; i++) {
                Dim d = s.dim(i);
                boolean plain = d.symbols().size() == 1 && d.equals(Dim.sym(d.symbols().iterator().next()));
                if (pass == 0 && plain) {
                    String sym = d.symbols().iterator().next();
                    Long prev = env.putIfAbsent(sym, (long) actual[i]);
                    if (prev != null && prev != actual[i])
                        throw new IllegalArgumentException("input '" + v.name() + "' dim " + i + ": " + sym + " is " + prev + " elsewhere, got " + actual[i] + " (expected shape " + s + ")");
                } else if (pass == 1 && !plain && d.eval(env) != actual[i])
                    throw new IllegalArgumentException("input '" + v.name() + "' expects shape " + s + ", got " + Arrays.toString(actual));
            }
    }

    /** A runtime failure inside one node, naming the op and its source location. */
    public static final class EvalException extends RuntimeException {
        private final transient Node node;

        EvalException(Node node, RuntimeException cause) {
            super(node.op().name() + " at " + node.loc() + ": " + cause.getMessage(), cause);
            this.node = node;
        }

        public Node node() { return node; }
    }
}
