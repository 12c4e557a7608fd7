package dlc.codegen.jvm;

import dlc.codegen.jvm.LoweringCases.Case;
import dlc.ir.Graph;
import dlc.ir.OpDef;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.runtime.CompiledGraph;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op the movement and misc lowerings handle, compiled to a class by the real backend
 * ({@link JvmCompiler}: storage plan, bind-time dims, verified bytecode) and run against the
 * float64 reference interpreter on random single-op graphs with symbolic dims. Unoptimized
 * graphs keep each op a node of its own (sum/mean/max/min then run as the emitter's inline loop
 * nests, broadcast_to and one-value constants inline too; {@link LoweringTest} covers those
 * lowerings directly); optimized ones run the standard pipeline first.
 */
class MovementJvmTest {
    /** Cases per op and mode: a quarter of the property tries (25 by default, 250 with -Pthorough, at least a quarter of -Dpbt.tries.min). */
    private static final int CASES = Math.max(1, Math.max(Integer.getInteger("jqwik.tries.default", 100) * Integer.getInteger("pbt.tries.factor", 1),
            Integer.getInteger("pbt.tries.min", 0)) / 4);

    @Test
    void unoptimizedGraphsAgreeWithTheInterpreter() {
        run(false, 11);
    }

    @Test
    void optimizedGraphsAgreeWithTheInterpreter() {
        run(true, 12);
    }

    private static void run(boolean optimize, long seed) {
        Random r = new Random(seed);
        int k = 0;
        for (OpDef op : LoweringCases.OPS)
            for (int i = 0; i < CASES; i++) check(LoweringCases.random(op, r), optimize, k++);
    }

    private static void check(Case c, boolean optimize, int k) {
        Graph g = c.graph(true);
        String name = "dlc.gen.Mv" + (optimize ? "O" : "U") + k;
        CompiledClasses cc;
        Map<String, Tensor> got, want;
        try {
            cc = optimize ? JvmCompiler.compile(g, name) : JvmCompiler.generate(g, name);
            Agreement.verify(cc);
            CompiledGraph cg = cc.instantiate();
            want = Interpreter.run(g, c.namedInputs());
            got = Agreement.run(cg, g, c.namedInputs());
            compare(c, want.get("y"), got.get("y"));
            // again on the same instance: buffers are reused, results must not change
            compare(c, want.get("y"), Agreement.run(cg, g, c.namedInputs()).get("y"));
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(c + (optimize ? " (optimized)" : "") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exact, as in {@link LoweringTest}: movement copies, reductions accumulate in double in the
     * interpreter's order and round once, draws are computed in double and rounded once. f32
     * scatter_add adds in float: relative 1e-5. NaN passes only where the reference is NaN.
     */
    private static void compare(Case c, Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape(), "shape");
        boolean f32 = want.dtype() == dlc.ir.DType.F32;
        for (int i = 0; i < want.size(); i++) {
            double w = f32 ? (float) want.data()[i] : want.data()[i], v = got.data()[i];
            boolean ok = c.op() == Ops.SCATTER_ADD && f32
                    ? Math.abs(w - v) <= 1e-5 * Math.max(1, Math.abs(w))
                    : Double.compare(w, v) == 0 || (w == 0 && v == 0);
            if (!ok) fail("element " + i + " is " + v + ", want " + w + " (reference " + want + ", got " + got + ")");
        }
    }
}
