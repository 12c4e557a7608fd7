package dlc.frontend.lower;

import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;
import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * Control builtins: {@code scan} and {@code stop_gradient}.
 *
 * <p>{@code scan(f, init, xs=none, axis=1, reverse=false, length=none, truncate=none)} lowers f once into a body
 * graph. Carries and per-step outputs may be nested tuples of tensors; they are flattened into
 * the scan op's operand list (carries ++ xs ++ captured) and rebuilt afterwards. Tensors of the
 * enclosing graphs that the body uses are captured as extra operands. When the body draws random
 * numbers, a key is threaded as one more carry and folded every step, so each step draws fresh
 * numbers.
 */
final class BuiltinsControl {
    private BuiltinsControl() {}

    /** The salt that advances a scan's key from one step to the next. */
    static final long STEP_SALT = 0x5ca9_57e9L;

    static List<Builtin> all() {
        return List.of(
                Builtin.of(Ops.SCAN, "f, init, xs=none, axis=1, reverse=false, length=none, truncate=none", BuiltinsControl::scan),
                Builtin.of(Ops.STOP_GRADIENT, "x", a -> new TensorV(a.in.emit(a.span, Ops.STOP_GRADIENT, a.tensor("x")))));
    }

    /** The shape of a nested tuple of tensors: a leaf, or a sequence of subtrees. */
    private sealed interface Tree permits Leaf, Node {}

    private record Leaf() implements Tree {}

    private record Node(List<Tree> items, boolean list) implements Tree {}

    private static Tree flatten(Args a, String name, Val v, List<Value> out, String what) {
        if (v instanceof TensorV t) {
            out.add(t.v());
            return new Leaf();
        }
        if (v instanceof SeqV s) {
            List<Tree> items = new ArrayList<>();
            for (Val x : s.items()) items.add(flatten(a, name, x, out, what));
            return new Node(items, s.list());
        }
        if (v instanceof NoneV) return new Node(List.of(), false); // nothing: no xs, or no per-step output
        throw a.error(name, what + " must be tensors or tuples of tensors, got " + Vals.kind(v),
                Vals.isNumber(v) ? "make it a tensor, e.g. full([], " + Vals.show(v) + ")" : null);
    }

    private static Val rebuild(Tree t, List<Value> leaves, int[] next) {
        if (t instanceof Leaf) return new TensorV(leaves.get(next[0]++));
        if (((Node) t).items().isEmpty() && !((Node) t).list()) return NoneV.NONE;
        List<Val> items = new ArrayList<>();
        for (Tree x : ((Node) t).items()) items.add(rebuild(x, leaves, next));
        return new SeqV(items, ((Node) t).list());
    }

    private static Val scan(Args a) {
        Interp in = a.in;
        Span span = a.span;
        if (!(a.get("f") instanceof FnV fn)) throw a.error("f", "scan's f must be a function, got " + Vals.kind(a.get("f")));
        GraphCtx outer = in.graph(span);
        List<Value> init = new ArrayList<>(), xs = new ArrayList<>();
        Tree carryTree = flatten(a, "init", a.get("init"), init, "scan carries");
        Tree xsTree = flatten(a, "xs", a.get("xs"), xs, "scan inputs xs");
        boolean reverse = a.bool("reverse");

        long axis = 0;
        Dim length = null;
        if (!xs.isEmpty()) {
            int rank0 = xs.get(0).type().rank();
            if (!a.explicit("axis") && rank0 < 2)
                throw a.error("xs", "scan steps over axis 1 by default (xs are [B, T, ...]), but xs is " + xs.get(0).type(),
                        "pass axis=0 to step over the first axis");
            axis = a.axis("axis", rank0);
            length = xs.get(0).type().shape().dim((int) axis);
            for (Value x : xs)
                if (x.type().rank() != rank0 || !x.type().shape().dim((int) axis).equals(length))
                    throw a.error("xs", "every scanned tensor needs the same length on axis " + axis + ": "
                            + xs.get(0).type() + " and " + x.type());
        }
        if (xs.isEmpty() && a.explicit("axis")) {
            axis = a.integer("axis"); // only places the stacked outputs
            if (axis < 0) throw a.error("axis", "a scan without xs stacks its outputs on a non-negative axis, got " + axis);
        }
        if (a.given("length")) {
            Dim l = a.dim("length");
            if (length != null && !l.equals(length))
                throw a.error("length", "length " + l + " differs from the length " + length + " of xs on axis " + axis);
            length = l;
        }
        if (length == null) throw a.error("xs", "scan over no xs needs a length", "scan(f, init, length=10)");

        GraphCtx body = GraphCtx.body(outer, "scan_body");
        List<Value> carryIn = new ArrayList<>(), xIn = new ArrayList<>();
        for (int i = 0; i < init.size(); i++) carryIn.add(body.input("carry_" + i, init.get(i).type(), Value.Role.INPUT));
        for (int i = 0; i < xs.size(); i++) {
            List<Dim> dims = new ArrayList<>(xs.get(i).type().shape().dims());
            dims.remove((int) axis);
            xIn.add(body.input("x_" + i, xs.get(i).type().withShape(new Shape(dims)), Value.Role.INPUT));
        }
        Val carry = rebuild(carryTree, carryIn, new int[1]);
        Val x = rebuild(xsTree, xIn, new int[1]);

        Val result;
        in.ctx = body;
        try {
            List<Val> args = xs.isEmpty() && arity(fn) == 1 ? List.of(carry) : List.of(carry, x);
            result = Calls.callPositional(in, fn, args, span);
        } finally {
            in.ctx = outer;
        }
        if (!(result instanceof SeqV r) || r.items().size() != 2)
            throw a.error("f", "a scan body must return (new_carry, y), got " + Vals.kind(result),
                    "return (carry, none) when there is no per-step output");

        in.ctx = body;
        List<Value> newCarry = new ArrayList<>(), ys = new ArrayList<>();
        Value newKey = null;
        try {
            matchCarry(a, carryTree, r.items().get(0), init, newCarry, new int[1], "carry");
            flatten(a, "f", r.items().get(1), ys, "per-step outputs of a scan body");
            for (int i = 0; i < ys.size(); i++) ys.set(i, in.resolve(ys.get(i), span));
            if (body.keyIfPresent() != null)
                newKey = in.emit(span, Ops.RNG_FOLD, Attrs.of("salt", STEP_SALT), body.keyIfPresent());
        } finally {
            in.ctx = outer;
        }
        Tree ysTree = flattenShape(r.items().get(1));
        for (Value y : ys)
            if (axis > y.type().rank())
                throw a.error("f", "scan stacks per-step outputs on axis " + axis + ", but one is " + y.type(),
                        a.explicit("axis") ? null : "pass axis=0 to stack the steps first");

        GraphBuilder gb = body.builder;
        for (int i = 0; i < newCarry.size(); i++) gb.output("carry_" + i, Graph.Output.Role.OUTPUT, newCarry.get(i));
        if (newKey != null) gb.output("key", Graph.Output.Role.OUTPUT, newKey);
        for (int i = 0; i < ys.size(); i++) gb.output("y_" + i, Graph.Output.Role.OUTPUT, ys.get(i));
        Graph built = gb.build();
        List<Value> inputs = new ArrayList<>(carryIn);
        if (newKey != null) inputs.add(body.keyIfPresent());
        inputs.addAll(xIn);
        inputs.addAll(body.captureInputs);
        Graph bodyGraph = new Graph(built.name(), inputs, built.nodes(), built.outputs());

        List<Value> operands = new ArrayList<>(init);
        if (newKey != null) operands.add(BuiltinsRandom.siteKey(in, span));
        operands.addAll(xs);
        operands.addAll(body.captureOperands);
        int carries = init.size() + (newKey != null ? 1 : 0);
        Attrs attrs = Attrs.of("num_carries", (long) carries, "num_xs", (long) xs.size(), "axis", axis, "reverse", reverse);
        if (xs.isEmpty()) {
            if (!length.isConst()) throw a.error("length", "a scan over no xs needs a known length, got " + length);
            attrs = attrs.with("length", length.value());
        }
        if (a.given("truncate")) {
            long k = a.integer("truncate");
            if (k < 1) throw a.error("truncate", "truncate is the number of steps per BPTT chunk, at least 1, got " + k);
            attrs = attrs.with("truncate", k);
        }
        List<Value> results = in.emitAll(span, Ops.SCAN, attrs, List.of(bodyGraph), operands);
        List<Value> finalCarry = new ArrayList<>(results.subList(0, init.size()));
        List<Value> stacked = results.subList(carries, results.size());
        return SeqV.tuple(List.of(rebuild(carryTree, finalCarry, new int[1]), rebuild(ysTree, stacked, new int[1])));
    }

    /** The tree shape of an already flattened value (ys). */
    private static Tree flattenShape(Val v) {
        if (v instanceof NoneV) return new Node(List.of(), false);
        if (v instanceof SeqV s) {
            List<Tree> items = new ArrayList<>();
            for (Val x : s.items()) items.add(flattenShape(x));
            return new Node(items, s.list());
        }
        return new Leaf();
    }

    /** Checks that the new carry has the structure and types of the initial one; collects its leaves. */
    private static void matchCarry(Args a, Tree t, Val v, List<Value> init, List<Value> out, int[] next, String path) {
        if (t instanceof Leaf) {
            Value start = init.get(next[0]++);
            Value now;
            if (v instanceof TensorV tv) now = tv.v();
            else if ((Vals.isNumber(v) || v instanceof BoolV) && start.type().rank() == 0)
                now = a.in.scalar(a.span, v, start.type().dtype());
            else throw a.error("f", "scan " + path + " starts as " + start.type() + " but the body returns " + Vals.kind(v));
            if (!now.type().equals(start.type()))
                throw a.error("f", "scan " + path + " changes type: " + start.type() + " at the start, " + now.type() + " after a step",
                        "a carry keeps its dtype and shape from step to step");
            out.add(a.in.resolve(now, a.span));
            return;
        }
        Node n = (Node) t;
        if (!(v instanceof SeqV s) || s.items().size() != n.items().size())
            throw a.error("f", "scan " + path + " is a tuple of " + n.items().size() + " at the start, but the body returns "
                    + Vals.kind(v) + (v instanceof SeqV s2 ? " of " + s2.items().size() : ""));
        for (int i = 0; i < n.items().size(); i++) matchCarry(a, n.items().get(i), s.items().get(i), init, out, next, path + "[" + i + "]");
    }

    private static int arity(FnV fn) {
        if (fn instanceof DefFn d) return d.def().params().size();
        if (fn instanceof SharedFn s) return s.instance().def().def().params().size();
        if (fn instanceof LambdaFn l) return l.lambda().params().size();
        return 2;
    }
}
