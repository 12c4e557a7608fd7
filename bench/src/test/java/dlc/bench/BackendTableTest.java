package dlc.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The backends' table: medians and p10 from Workloads' lines, ratios to the first backend, and what was not run. */
class BackendTableTest {
    private static final List<String> LINES = List.of(
            "dlc-jvm mlp train-b32 2 2.0000",
            "# dlc-jvm mlp train-b32 2 median_ms=2.0000 steps_per_s=500.0 p10_ms=1.0000 p90_ms=3.0",
            "% alloc dlc-jvm mlp train-b32 2 caller_bytes_per_step=0 all_threads_bytes_per_step=0 steps=10 update_copies=0/6",
            "dlc-opencl mlp train-b32 2 30.0000",
            "# dlc-opencl mlp train-b32 2 median_ms=30.0000 steps_per_s=33.3 p10_ms=25.0000 p90_ms=40.0",
            "% check FAIL dlc-opencl cnn infer-b1 2",
            "dlc-jvm cnn infer-b1 2 0.5000",
            "# dlc-jvm cnn infer-b1 2 median_ms=0.5000 steps_per_s=2000.0 p10_ms=0.4000 p90_ms=0.6",
            "dlc-opencl cnn infer-b1 2 5.0000",
            "# dlc-opencl cnn infer-b1 2 median_ms=5.0000 steps_per_s=200.0 p10_ms=4.0000 p90_ms=6.0",
            "dlc-jvm lstm train-b32 2 20.0000",
            "# dlc-jvm lstm train-b32 2 median_ms=20.0000 steps_per_s=50.0 p10_ms=18.0000 p90_ms=22.0",
            "% unsupported dlc-opencl lstm train-b32 2 op scan is not supported by the OpenCL backend yet (at std/rnn.dl:69:15)",
            "! ok jvm mlp train-b32: loss 2.4 -> 1.6 over 30 SGD steps");

    @Test void ratiosOfMediansAndP10ToTheFirstBackend() {
        String t = BackendTable.render(LINES, List.of("dlc-jvm", "dlc-opencl"));
        assertTrue(t.contains("| mlp | train-b32 | 2 | 2.000 | 1.000 | 30.000 | 25.000 | 15.00 | 25.00 |"), t);
        assertTrue(t.startsWith("| workload | metric | threads | dlc-jvm median ms | dlc-jvm p10 ms | dlc-opencl median ms |"), t);
    }

    @Test void aFailedCheckIsMarkedAndAnUnsupportedCaseSaysSo() {
        String t = BackendTable.render(LINES, List.of("dlc-jvm", "dlc-opencl"));
        assertTrue(t.contains("| cnn | infer-b1 | 2 | 0.500 | 0.400 | 5.000 (check FAILED) | 4.000 | 10.00 | 10.00 |"), t);
        assertTrue(t.contains("| lstm | train-b32 | 2 | 20.000 | 18.000 | not supported yet | not supported yet | - | - |"), t);
    }

    @Test void anotherBaseAndABackendThatDidNotRun() {
        String t = BackendTable.render(LINES, List.of("dlc-opencl", "dlc-jvm", "torch-cuda"));
        assertTrue(t.contains("| mlp | train-b32 | 2 | 30.000 | 25.000 | 2.000 | 1.000 | 0.07 | 0.04 | - | - | - | - |"), t);
    }

    @Test void casesAreModelsOrSingleMetrics() {
        assertEquals(List.of(new Workloads.Case("cnn", true, 64), new Workloads.Case("cnn", false, 1), new Workloads.Case("cnn", false, 64),
                new Workloads.Case("mlp", true, 1024)), Workloads.cases("cnn,mlp:train-b1024"));
        assertEquals("infer-b256", Workloads.cases("cnn:infer-b256").get(0).metric());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Workloads.cases("mlp:train-1024"));
        assertTrue(e.getMessage().contains("expected train-bN or infer-bN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Workloads.cases("resnet"));
    }
}
