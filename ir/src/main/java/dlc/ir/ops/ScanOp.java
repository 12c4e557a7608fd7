package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * scan: a loop over T steps with carried state, like {@code jax.lax.scan}.
 *
 * <p>Attributes: {@code num_carries} and {@code num_xs} (Long, required), {@code axis} (Long,
 * default 0; negative counts from the end), {@code reverse} (Boolean, default false), {@code length}
 * (Long; required when {@code num_xs == 0}, else optional and must agree with the xs),
 * {@code truncate} (Long k >= 1, optional: truncated backpropagation through time — forward values
 * are unchanged; in the gradient the carry entering every k-th step, counted in the order the steps
 * run, is treated as a constant, as if it passed through {@code stop_gradient} (docs/models.md 4.2)).
 *
 * <p>Operands: the initial carries ({@code num_carries}), then the xs ({@code num_xs}) scanned over
 * {@code axis}, then captured values (the rest: loop invariants such as weights, passed whole to every
 * step, since a nested graph sees nothing from outside). The body (region 0) takes
 * {@code carries ++ (each x at step t, with axis removed) ++ captured} and returns
 * {@code new carries ++ ys}; new carries have exactly the carries' types. Results: the final
 * carries, then each y stacked along {@code axis} (a y of type {@code f32[B, H]} over T steps on axis
 * 1 gives {@code f32[B, T, H]}). With {@code reverse} the steps run t = T-1 down to 0 and y_t is stored
 * at index t. With T = 0 the results are the initial carries and empty ys.
 */
final class ScanOp extends OpDef {
    ScanOp() { super("scan", Kind.OPAQUE); }

    @Override public int regionCount() { return 1; }

    /** A reverse scan over the body's VJP, see {@link ScanGradient}. */
    @Override public List<Value> vjp(VjpContext ctx) { return ScanGradient.vjp(ctx); }

    /** The validated attributes of one scan node. */
    record Config(int carries, int xs, long axis, boolean reverse, Long length, long truncate) {
        static Config of(Attrs attrs) {
            int nc = count(attrs, "num_carries"), nx = count(attrs, "num_xs");
            Object axis = attrs.has("axis") ? attrs.get("axis") : 0L, rev = attrs.has("reverse") ? attrs.get("reverse") : false;
            if (!(axis instanceof Long a)) throw new ShapeException("scan attribute axis must be an integer, got " + Attrs.format(axis));
            if (!(rev instanceof Boolean r)) throw new ShapeException("scan attribute reverse must be a boolean, got " + Attrs.format(rev));
            Long length = null;
            if (attrs.has("length")) {
                if (!(attrs.get("length") instanceof Long l) || l < 0)
                    throw new ShapeException("scan attribute length must be an integer >= 0, got " + Attrs.format(attrs.get("length")));
                length = l;
            } else if (nx == 0)
                throw new ShapeException("scan without xs needs a length attribute (the number of steps)");
            long truncate = 0;
            if (attrs.has("truncate")) {
                if (!(attrs.get("truncate") instanceof Long k) || k < 1)
                    throw new ShapeException("scan attribute truncate must be an integer >= 1 (steps per BPTT chunk), got " + Attrs.format(attrs.get("truncate")));
                truncate = k;
            }
            return new Config(nc, nx, a, r, length, truncate);
        }

        private static int count(Attrs attrs, String key) {
            if (!(attrs.get(key) instanceof Long n) || n < 0)
                throw new ShapeException("scan needs an integer attribute " + key + " >= 0, got " + (attrs.has(key) ? Attrs.format(attrs.get(key)) : "none"));
            return Math.toIntExact(n);
        }

        /** The scanned axis of an x of the given rank. */
        int xAxis(int rank, String what) {
            long a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank)
                throw new ShapeException("scan axis " + axis + " is out of range for " + what, "xs are scanned over one of their axes, so they need rank >= 1");
            return (int) a;
        }

        /** Where the steps go in a stacked y of the given (per-step) rank. */
        int yAxis(int rank, String what) {
            long a = axis < 0 ? axis + rank + 1 : axis;
            if (a < 0 || a > rank) throw new ShapeException("scan axis " + axis + " cannot stack " + what + " (rank " + rank + ")");
            return (int) a;
        }
    }

    @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
        Config c = Config.of(attrs);
        if (regions.size() != 1) throw new ShapeException("scan takes one body graph, got " + regions.size());
        if (in.size() < c.carries + c.xs)
            throw new ShapeException("scan has " + in.size() + " operands but num_carries=" + c.carries + " and num_xs=" + c.xs + " need at least " + (c.carries + c.xs));
        Dim steps = steps(in, c);
        List<TensorType> expected = new ArrayList<>(in.subList(0, c.carries));
        for (int j = 0; j < c.xs; j++) {
            TensorType x = in.get(c.carries + j);
            List<Dim> dims = new ArrayList<>(x.shape().dims());
            dims.remove(c.xAxis(x.rank(), "x " + j + " " + x));
            expected.add(x.withShape(new Shape(dims)));
        }
        expected.addAll(in.subList(c.carries + c.xs, in.size()));
        Graph body = regions.get(0);
        int captured = in.size() - c.carries - c.xs;
        if (body.inputs().size() != expected.size())
            throw new ShapeException("scan body " + body.name() + " takes " + body.inputs().size() + " inputs but the scan passes " + expected.size()
                    + " (" + c.carries + " carries, " + c.xs + " x slices, " + captured + " captured values)",
                    "body inputs are the carries, then one step of each x, then the captured values");
        for (int i = 0; i < expected.size(); i++) {
            TensorType got = body.inputs().get(i).type();
            if (!got.equals(expected.get(i)))
                throw new ShapeException("scan body input " + i + " (" + role(i, c) + ") is " + got + " but the scan passes " + expected.get(i),
                        i >= c.carries && i < c.carries + c.xs ? "a step of x is x with the scanned axis " + c.axis + " removed" : null);
        }
        List<Graph.Output> outs = body.outputs();
        if (outs.size() < c.carries)
            throw new ShapeException("scan body " + body.name() + " returns " + outs.size() + " values but there are " + c.carries + " carries",
                    "the body returns the new carries first, then the per-step outputs");
        List<TensorType> results = new ArrayList<>();
        for (int i = 0; i < c.carries; i++) {
            TensorType got = outs.get(i).value().type();
            if (!got.equals(in.get(i)))
                throw new ShapeException("scan body returns carry " + i + " as " + got + " but the initial carry is " + in.get(i),
                        "a carry keeps one type through every step");
            results.add(got);
        }
        for (int k = c.carries; k < outs.size(); k++) {
            TensorType y = outs.get(k).value().type();
            List<Dim> dims = new ArrayList<>(y.shape().dims());
            dims.add(c.yAxis(y.rank(), "y " + (k - c.carries) + " " + y), steps);
            results.add(y.withShape(new Shape(dims)));
        }
        return results;
    }

    /** T: the xs' common size on the scanned axis, or the length attribute. */
    static Dim steps(List<TensorType> in, Config c) {
        Dim steps = null;
        for (int j = 0; j < c.xs; j++) {
            TensorType x = in.get(c.carries + j);
            Dim t = x.shape().dim(c.xAxis(x.rank(), "x " + j + " " + x));
            if (steps == null) steps = t;
            else if (!steps.equals(t))
                throw new ShapeException("scan xs disagree on the number of steps: x 0 " + in.get(c.carries) + " has " + steps
                        + " on axis " + c.axis + " but x " + j + " " + x + " has " + t);
        }
        if (c.length == null) return steps;
        if (steps != null && steps.isConst() && steps.value() != c.length)
            throw new ShapeException("scan length=" + c.length + " but the xs have " + steps + " steps on axis " + c.axis);
        return steps != null ? steps : Dim.of(c.length);
    }

    private static String role(int i, Config c) {
        if (i < c.carries) return "carry " + i;
        if (i < c.carries + c.xs) return "step of x " + (i - c.carries);
        return "captured value " + (i - c.carries - c.xs);
    }

    @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
        Config c = Config.of(attrs);
        Graph body = regions.get(0);
        int nc = c.carries, nx = c.xs, ny = body.outputs().size() - nc;
        int steps = c.length == null ? -1 : Math.toIntExact(c.length);
        int[] xAxes = new int[nx];
        for (int j = 0; j < nx; j++) {
            Tensor x = in[nc + j];
            xAxes[j] = c.xAxis(x.rank(), "x " + j);
            int t = x.dim(xAxes[j]);
            if (steps >= 0 && t != steps)
                throw new IllegalArgumentException("scan x " + j + " has " + t + " steps but " + (j == 0 ? "length is " : "x 0 has ") + steps);
            steps = t;
        }
        Tensor[] carries = Arrays.copyOfRange(in, 0, nc);
        Tensor[] captured = Arrays.copyOfRange(in, nc + nx, in.length);
        double[][] stacks = new double[ny][];
        int[][] stackShapes = new int[ny][];
        DType[] yTypes = new DType[ny];
        int[] yAxes = new int[ny];
        for (int s = 0; s < steps; s++) {
            int t = c.reverse ? steps - 1 - s : s;
            Tensor[] args = new Tensor[body.inputs().size()];
            System.arraycopy(carries, 0, args, 0, nc);
            for (int j = 0; j < nx; j++) args[nc + j] = ScanSlices.slice(in[nc + j], xAxes[j], t);
            System.arraycopy(captured, 0, args, nc + nx, captured.length);
            Tensor[] out = ctx.run(body, args);
            carries = Arrays.copyOfRange(out, 0, nc);
            for (int k = 0; k < ny; k++) {
                Tensor y = out[nc + k];
                if (stacks[k] == null) {
                    yAxes[k] = c.yAxis(y.rank(), "y " + k);
                    stackShapes[k] = ScanSlices.insert(y.shape(), yAxes[k], steps);
                    stacks[k] = new double[(int) Tensor.numel(stackShapes[k])];
                    yTypes[k] = y.dtype();
                } else if (!Arrays.equals(y.shape(), ScanSlices.remove(stackShapes[k], yAxes[k])))
                    throw new IllegalArgumentException("scan body returned y " + k + " of shape " + Arrays.toString(y.shape()) + " at step " + t
                            + " but " + Arrays.toString(ScanSlices.remove(stackShapes[k], yAxes[k])) + " before");
                ScanSlices.put(stacks[k], stackShapes[k], yAxes[k], t, y);
            }
        }
        Tensor[] res = new Tensor[nc + ny];
        System.arraycopy(carries, 0, res, 0, nc);
        for (int k = 0; k < ny; k++) {
            if (stacks[k] == null) { // no steps ran: an empty stack of the declared per-step shape
                TensorType y = body.outputs().get(nc + k).value().type();
                int axis = c.yAxis(y.rank(), "y " + k);
                res[nc + k] = Tensor.zeros(y.dtype(), ScanSlices.insert(ctx.resolve(y.shape()), axis, 0));
            } else res[nc + k] = new Tensor(yTypes[k], stackShapes[k], stacks[k]);
        }
        return res;
    }
}
