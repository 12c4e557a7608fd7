package dlc.codegen.opencl;

import dlc.ir.Dim;
import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * The movement ops as generated index-mapping kernels (the {@link ClLoweringTable} names one per
 * op): one work-item per result element computes where its element comes from, as the op's
 * {@code eval} defines it (permute, slice, reverse, pad, concat, iota), and a non-splat constant is
 * an upload of its values. Sizes are kernel arguments, so one source serves every binding.
 */
final class MovementKernels {
    private MovementKernels() {}

    /** A kernel over {@code y}'s elements with the coordinates {@code c0..} of each declared. */
    private static KernelWriter over(Node n, ClLowering.KernelContext cx, Value y, List<String> coords) {
        KernelWriter w = cx.kernel(n.op().name() + " at " + n.loc() + " -> " + y.type());
        Shape s = y.type().shape();
        w.line("const int i = get_global_id(0);");
        for (int a = 0; a < s.rank(); a++) {
            String stride = w.product(s.dims().subList(a + 1, s.rank()));
            String q = stride.equals("1") ? "i" : "(i / " + stride + ")";
            w.line("const int c" + a + " = " + (a == 0 ? q : q + " % " + w.dim(s.dim(a))) + ";");
            coords.add("c" + a);
        }
        if (!ClTypes.isFloat(y)) w.usesDouble();
        return w;
    }

    /** The element stride of axis {@code a} of a dense tensor of {@code s}. */
    private static String stride(KernelWriter w, Shape s, int a) { return w.product(s.dims().subList(a + 1, s.rank())); }

    private static String sum(List<String> terms) { return terms.isEmpty() ? "0" : String.join(" + ", terms); }

    private static void copy(Node n, ClLowering.KernelContext cx, KernelWriter w, String src) {
        Value x = n.input(0), y = n.output();
        w.line(w.at(cx.home(y), "i") + " = " + w.at(cx.home(x), src) + ";");
        cx.step(w.launch(y.type().shape().numel()));
    }

    static void permute(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        KernelWriter w = over(n, cx, n.output(), c);
        long[] perm = n.attrs().getLongs("perm");
        Shape xs = n.input(0).type().shape();
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < perm.length; i++) terms.add(c.get(i) + " * " + stride(w, xs, (int) perm[i]));
        copy(n, cx, w, sum(terms));
    }

    static void slice(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        KernelWriter w = over(n, cx, n.output(), c);
        Shape xs = n.input(0).type().shape(), starts = n.attrs().getShape("starts");
        long[] steps = n.attrs().getLongs("steps");
        List<String> terms = new ArrayList<>();
        for (int a = 0; a < xs.rank(); a++)
            terms.add("(" + w.dim(starts.dim(a)) + " + " + c.get(a) + " * " + steps[a] + ") * " + stride(w, xs, a));
        copy(n, cx, w, sum(terms));
    }

    static void reverse(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        KernelWriter w = over(n, cx, n.output(), c);
        Shape xs = n.input(0).type().shape();
        boolean[] flip = new boolean[xs.rank()];
        for (long a : n.attrs().getLongs("axes")) flip[(int) a] = true;
        List<String> terms = new ArrayList<>();
        for (int a = 0; a < xs.rank(); a++)
            terms.add((flip[a] ? "(" + w.dim(xs.dim(a)) + " - 1 - " + c.get(a) + ")" : c.get(a)) + " * " + stride(w, xs, a));
        copy(n, cx, w, sum(terms));
    }

    static void pad(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        Value x = n.input(0), y = n.output();
        KernelWriter w = over(n, cx, y, c);
        Shape xs = x.type().shape();
        long[] low = n.attrs().getLongs("low");
        List<String> inside = new ArrayList<>(), terms = new ArrayList<>();
        for (int a = 0; a < xs.rank(); a++) {
            String xc = "(" + c.get(a) + " - " + low[a] + ")";
            inside.add(xc + " >= 0 && " + xc + " < " + w.dim(xs.dim(a)));
            terms.add(xc + " * " + stride(w, xs, a));
        }
        String value = ClTypes.literal(n.attrs().getDouble("value", 0), ClTypes.register(y));
        String cond = inside.isEmpty() ? "1" : String.join(" && ", inside);
        w.line(w.at(cx.home(y), "i") + " = (" + cond + ") ? " + w.at(cx.home(x), sum(terms)) + " : " + value + ";");
        cx.step(w.launch(y.type().shape().numel()));
    }

    static void concat(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        Value y = n.output();
        KernelWriter w = over(n, cx, y, c);
        int axis = (int) n.attrs().getLong("axis");
        Dim start = Dim.of(0);
        StringBuilder chain = new StringBuilder();
        for (int k = 0; k < n.inputs().size(); k++) {
            Value x = n.input(k);
            Shape xs = x.type().shape();
            Dim end = start.plus(xs.dim(axis));
            List<String> terms = new ArrayList<>();
            for (int a = 0; a < xs.rank(); a++)
                terms.add((a == axis ? "(" + c.get(a) + " - " + w.dim(start) + ")" : c.get(a)) + " * " + stride(w, xs, a));
            String read = w.at(cx.home(x), sum(terms));
            chain.append(k == n.inputs().size() - 1 ? read : "(" + c.get(axis) + " < " + w.dim(end) + ") ? " + read + " : ");
            start = end;
        }
        w.line(w.at(cx.home(y), "i") + " = " + chain + ";");
        cx.step(w.launch(y.type().shape().numel()));
    }

    static void iota(Node n, ClLowering.KernelContext cx) {
        List<String> c = new ArrayList<>();
        Value y = n.output();
        KernelWriter w = over(n, cx, y, c);
        w.line(w.at(cx.home(y), "i") + " = (" + ClTypes.register(y) + ")" + c.get((int) n.attrs().getLong("axis")) + ";");
        cx.step(w.launch(y.type().shape().numel()));
    }

    /**
     * A constant with one value per element: it gets a range of its own outside the memory plan
     * (the plan's slot may hold other values before and after), uploaded once when the binding is
     * made, so a run moves nothing for it.
     */
    static void constant(Node n, ClLowering.KernelContext cx) {
        Value y = n.output();
        double[] values = n.attrs().getDoubles("values");
        Value home = cx.home(y);
        long bytes = (long) values.length * ClTypes.bytes(home);
        cx.step(new ClStep() {
            @Override public long scratchBytes(java.util.Map<String, Long> env) { return bytes; }

            @Override public Runnable prepare(ClBinding b) {
                b.pinToScratch(home);
                b.upload(home, values);
                return () -> { };
            }
        });
    }
}
