package dlc.codegen.jvm;

import dlc.codegen.jvm.LoweringCases.Case;
import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.OpDef;
import dlc.ir.Shape;
import dlc.ir.Value;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each movement/misc kernel call, run through {@link FakeEmitter} (the real runtime kernels, called
 * with exactly the arguments and descriptors the lowering emits, dims evaluated under a binding),
 * against the op's reference semantics, on random cases with symbolic dims.
 */
class LoweringTest {
    @Property(tries = 400)
    void loweringsMatchReference(@ForAll long seed) {
        Random r = new Random(seed);
        for (OpDef op : LoweringCases.OPS) check(LoweringCases.random(op, r), r);
    }

    /**
     * Runs the case's kernel call, when the lowering table lowers its op by one (broadcast_to and
     * sum/mean/max/min are loop nests, run through the whole backend by {@link MovementJvmTest}).
     */
    static void check(Case c, Random r) {
        Graph g = c.graph();
        Node node = g.nodes().get(0);
        Lowering.KernelCode kernel = LoweringTable.kernel(node.op());
        if (kernel == null) return;
        EvalContext ctx = new EvalContext() {
            @Override public int[] resolve(Shape shape) { return shape.eval(c.env()); }

            @Override public Tensor[] run(Graph graph, Tensor... args) { throw new UnsupportedOperationException("lowering cases have no nested graphs"); }
        };
        Tensor want = node.op().eval(c.inputs(), node.attrs(), List.of(), ctx)[0];
        FakeEmitter e = new FakeEmitter(c.env());
        for (int i = 0; i < c.inputs().length; i++) {
            int off = r.nextInt(3);
            e.bind(node.input(i), storage(node.input(i), off, c.inputs()[i].data()), off);
        }
        int off = r.nextInt(3);
        Value y = node.output();
        Object out = storage(y, off, new double[want.size()]);
        marker(out);
        e.bind(y, out, off);
        kernel.emit(node, e);
        e.checkBalanced();
        compare(c, want, out, off);
    }

    /** A value's storage: float[] for f32, else double[], holding {@code data} from {@code off} on. */
    private static Object storage(Value v, int off, double[] data) {
        if (KernelEmitter.isFloat(v.type().dtype())) {
            float[] a = new float[off + data.length + 2];
            for (int i = 0; i < data.length; i++) a[off + i] = (float) data[i];
            return a;
        }
        double[] a = new double[off + data.length + 2];
        System.arraycopy(data, 0, a, off, data.length);
        return a;
    }

    /** Fills the result buffer (before and after it too) with a marker, so unwritten and stray elements show. */
    private static void marker(Object a) {
        if (a instanceof float[] f) Arrays.fill(f, -777f); else Arrays.fill((double[]) a, -777);
    }

    /**
     * Movement, reductions (double accumulation in the interpreter's order, rounded once), argmax
     * and draws are exact: f32 results equal the reference rounded to float bit for bit.
     * scatter_add in f32 adds in float: relative 1e-5 (a few additions of values near 1). NaN
     * passes only where the reference is NaN. Elements around the result must keep the marker.
     */
    private static void compare(Case c, Tensor want, Object out, int off) {
        boolean f32 = out instanceof float[];
        for (int i = -1; i <= want.size(); i++) {
            int at = off + i;
            double v = at < 0 ? -777 : f32 ? ((float[]) out)[at] : ((double[]) out)[at];
            if (i == -1 || i == want.size()) {
                if (v != -777) fail(c + ": wrote outside the result at " + i);
                continue;
            }
            double w = f32 ? (float) want.data()[i] : want.data()[i];
            boolean ok = c.op() == Ops.SCATTER_ADD && f32
                    ? Math.abs(w - v) <= 1e-5 * Math.max(1, Math.abs(w))
                    : Double.compare(w, v) == 0 || (w == 0 && v == 0);
            if (!ok) fail(c + ": element " + i + " is " + v + ", want " + w + " (reference " + want + ")");
        }
    }
}
