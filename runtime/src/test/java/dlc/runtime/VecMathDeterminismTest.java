package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * VecMath's vector exp, sigmoid and tanh give the same bits whether the JIT has compiled them or
 * not: a child JVM that only interprets ({@code -Xint}) and one that compiles in the foreground
 * after a warm-up ({@code -Xbatch}) print the same hash of the results. With the Vector API's
 * {@code lanewise(EXP)} they did not (the JDK's vector math library once compiled, Math.exp
 * before), and two identical {@code dlc train} runs ended with different weights.
 */
class VecMathDeterminismTest {
    /** Run in the child JVMs: the three ops over fixed inputs (some warm-up rounds first), then one hash of every result's bits. */
    public static final class Worker {
        public static void main(String[] args) {
            int rounds = Integer.parseInt(args[0]), n = 4099;
            float[] x = new float[n], y = new float[n];
            java.util.Random r = new java.util.Random(11);
            for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 40 : 3));
            x[0] = Float.NaN; x[1] = Float.POSITIVE_INFINITY; x[2] = Float.NEGATIVE_INFINITY; x[3] = -100f; x[4] = 88.5f;
            long hash = 0;
            for (int round = 0; round < rounds; round++)
                for (int op : new int[]{VecMath.EXP, VecMath.SIGMOID, VecMath.TANH}) {
                    VecMath.apply(op, x, 0, y, 0, n);
                    if (round == rounds - 1) for (float v : y) hash = hash * 31 + Float.floatToRawIntBits(v);
                }
            System.out.println("vector=" + VecSupport.ENABLED + " hash=" + hash);
        }
    }

    private static String run(int rounds, String... jvmFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Worker.class.getName(), Integer.toString(rounds)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> l.startsWith("vector=")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    @Test void compiledAndInterpretedGiveTheSameBits() throws Exception {
        String interpreted = run(1, "-Xint");
        // -Xbatch: each compile finishes before the code runs on, so 400 rounds end in C2's code
        String compiled = run(400, "-Xbatch");
        assertEquals(interpreted, compiled);
    }
}
