package dlc.runtime;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The vector GEMM tile allocates nothing even when C2 inlines none of dlc's own methods into it.
 * C2 stops inlining ordinary calls once a method passes its node budget (NodeCountInliningCutoff);
 * the tile's unrolled loop is near that budget, so in some JVM runs its last call of a store helper
 * was left a call, the twelve accumulators' vectors were boxed to pass them, and the LSTM benchmark
 * step allocated 1.4 MB (and ran ~15 % slower). The Vector API's methods are force-inlined, so a
 * tile that calls nothing else never boxes. A child JVM with {@code dontinline} on every dlc
 * method makes the worst inlining outcome certain instead of one run in three.
 */
class VectorTileInliningTest {
    /** Run in the child JVM: warm the 32-row GEMM of an LSTM step up, then count bytes per call. */
    public static final class Worker {
        public static void main(String[] args) {
            if (!Gemm.vectorAvailable()) {
                System.out.println("no vector kernel");
                return;
            }
            int m = 32, n = 512, k = 128;
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.25f;
            for (int i = 0; i < b.length; i++) b[i] = (i % 5) * 0.5f;
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId(), perCall = Long.MAX_VALUE;
            // rounds of 200 calls (half accumulating) until one allocates (almost) nothing, as C2 compiles the tile
            for (int round = 0; round < 60 && perCall >= 64; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 200; i++) Gemm.matmul(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, (i & 1) == 1);
                perCall = (mx.getThreadAllocatedBytes(tid) - before) / 200;
            }
            System.out.println("kernel=" + Gemm.kernelName() + " bytesPerCall=" + perCall);
        }
    }

    @Test void theTileAllocatesNothingWhenNoDlcMethodIsInlined() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-Ddlc.threads=1",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,dlc.*::*",
                "-cp", System.getProperty("java.class.path"), Worker.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        if (out.contains("no vector kernel")) return; // this machine's JVM has no usable vector species: nothing to box
        String line = out.lines().filter(l -> l.startsWith("kernel=")).findFirst().orElseThrow(() -> new AssertionError(out));
        long bytes = Long.parseLong(line.substring(line.indexOf("bytesPerCall=") + "bytesPerCall=".length()).trim());
        // a boxed pair of 512-bit vectors is ~200 bytes per tile, 6 x 16 tiles per call: tens of KB
        assertTrue(bytes < 64, "the GEMM allocates " + bytes + " bytes per call with dlc's methods left uninlined: " + line);
    }
}
