package dlc.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The LSTM training step and then the CNN's batch-64 inference allocate nothing per step in a JVM
 * started the way {@code ./dlc} and {@code bench/run.sh} start it. That order is the one that made
 * JDK 17's C2 leave Vector API intrinsics as calls: without {@code IncrementalInlineForceCleanup}
 * the same child JVM allocated 1.2-7.4 MB per LSTM step and up to 1 GB per CNN batch in 8 of 12
 * runs on JDK 17 (BENCHMARKS.md, session 8); with it, in none of 14. Run in a child JVM so that the JIT state
 * is the workload's own, not the test runner's.
 */
class KernelsStayIntrinsifiedTest {
    /** As ./dlc starts Java: the flag on JDK 17-24 only (JDK 25 did not show the failure). */
    static final List<String> VECTOR_JVM_FLAGS = Runtime.version().feature() < 25
            ? List.of("--add-modules", "jdk.incubator.vector", "-XX:+UnlockDiagnosticVMOptions", "-XX:+IncrementalInlineForceCleanup")
            : List.of("--add-modules", "jdk.incubator.vector");

    @Test void lstmThenCnnStepsAllocateNothing() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(javaBin));
        cmd.addAll(VECTOR_JVM_FLAGS);
        cmd.addAll(List.of("-Ddlc.threads=1", "-cp", System.getProperty("java.class.path"),
                Workloads.class.getName(), "1", "lstm,cnn:infer-b64"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<String> alloc = out.lines().filter(l -> l.startsWith("% alloc")).toList();
        assertEquals(2, alloc.size(), "one allocation line per workload expected:\n" + out);
        for (String line : alloc) {
            String v = line.replaceAll(".*caller_bytes_per_step=(\\d+).*", "$1");
            long bytes = Long.parseLong(v);
            // a steady step allocates 0 B; one boxed intrinsic in a kernel loop costs MBs per step
            assertTrue(bytes < 1024, "a step allocates " + bytes + " bytes: " + line + "\n" + out);
        }
    }
}
