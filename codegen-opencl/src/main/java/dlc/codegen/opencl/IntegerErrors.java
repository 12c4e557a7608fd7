package dlc.codegen.opencl;

import dlc.ir.Node;
import dlc.ir.ops.Ops;
import dlc.runtime.OpFailure;

import java.util.List;
import java.util.Map;

/**
 * The error word of a generated kernel with integer {@code div}, {@code mod}, {@code trunc_div},
 * {@code trunc_mod} or {@code pow}: a kernel cannot throw, so an element with a zero divisor (or a
 * negative exponent) gets 0 and records the smallest code of a failing op in int 0 of two ints of
 * the launch's scratch (and pow the smallest negative exponent, clamped to int, in int 1). The
 * words are armed before the launch (in a scan body at the first step only, so a bad divisor at
 * any step is reported) and read after the run's launches, before any output is read; the host
 * then throws what the interpreter throws: {@code div at model.dl:3:9: integer div by zero} (in a scan
 * body after the scan's own {@code scan at model.dl:7:5: }, as the interpreter nests it).
 */
final class IntegerErrors {
    private IntegerErrors() {}

    private static final int NO_ERROR = Integer.MAX_VALUE;

    /** {@code launch} with the error words of {@code failing} (the kernel's failing ops by code) when there are any. */
    static ClStep checked(List<Node> failing, ClStep launch) {
        return new ClStep() {
            @Override public long scratchBytes(Map<String, Long> env) { return failing.isEmpty() ? 0 : 2L * Integer.BYTES; }

            @Override public Runnable prepare(ClBinding b) {
                Runnable run = launch.prepare(b);
                if (failing.isEmpty()) return run;
                long err = b.scratchBytesOffset() / Integer.BYTES;
                b.checks.add(() -> check(b, err, failing));
                return () -> {
                    if (b.resetsErrors) {
                        b.index().resetError(b.arena(), err);
                        b.index().resetError(b.arena(), err + 1);
                    }
                    run.run();
                };
            }
        };
    }

    private static void check(ClBinding b, long err, List<Node> failing) {
        float[] words = new float[2];
        b.executor().download(b.arena(), new ArenaLayout.Slice("integer error words", err * Integer.BYTES, 2L * Integer.BYTES), words);
        int code = Float.floatToRawIntBits(words[0]);
        if (code == NO_ERROR) return;
        Node n = failing.get(code);
        // the messages of dlc.numerics.Ints, wrapped as the interpreter wraps a node's failure
        String why = n.op() == Ops.POW
                ? "integer pow with a negative exponent " + Float.floatToRawIntBits(words[1]) + "; cast to a float dtype first"
                : "integer " + n.op().name() + " by zero";
        // an OpFailure, as the JVM backend's node methods throw (the CLI reports it as a runtime error, exit 1)
        throw new OpFailure(new ArithmeticException(why), b.failurePrefix + n.op().name() + " at " + n.loc());
    }
}
