package dlc.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The side-by-side table joins our lines with the peers' files and computes the ratios. */
class TableTest {
    @Test void joinsResultsAndComputesRatios(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("dlc.txt"), peers = dir.resolve("results.txt"), detail = dir.resolve("results-detail.txt");
        Files.writeString(ours, String.join("\n",
                "dlc-jvm mlp train-b128 1 2.0000",
                "# dlc-jvm mlp train-b128 1 median_ms=2.0000 steps_per_s=500.0 p10_ms=1.5000 p90_ms=3.0",
                "% alloc dlc-jvm mlp train-b128 1 caller_bytes_per_step=592 all_threads_bytes_per_step=600 steps=10",
                "% check FAIL dlc-jvm lstm train-b32 1",
                "dlc-jvm lstm train-b32 1 30.0000", ""));
        Files.writeString(peers, String.join("\n",
                "djl-pytorch mlp train-b128 1 4.0000", "dl4j mlp train-b128 1 8.0000", "djl-pytorch lstm train-b32 1 10.0000", ""));
        Files.writeString(detail, String.join("\n",
                "djl-pytorch mlp train-b128 1 median_ms=4.0000 steps_per_s=250.0 p10_ms=3.0000 p90_ms=5.0",
                "onnxruntime mlp infer-b128 1 median_ms=0.5000 steps_per_s=2000.0 p10_ms=0.4000 p90_ms=0.6", ""));
        Path gemm = dir.resolve("gemm.txt");
        Files.writeString(gemm, String.join("\n",
                "kernel available: vector, cores: 2",
                "shape                  m     n     k    vec 1T     (cpu)    vec 2T   scal 1T     (cpu)   scal 2T",
                "512^3                512   512   512     100.0     100.0     200.0      30.0      30.0      60.0", ""));
        Files.writeString(ours, Files.readString(ours) + String.join("\n",
                "dlc-jvm mlp infer-b128 1 0.6010",
                "# dlc-jvm mlp infer-b128 1 median_ms=0.6010 steps_per_s=1664.0 p10_ms=0.6000 p90_ms=0.7", ""));
        Files.writeString(peers, Files.readString(peers) + "onnxruntime mlp infer-b128 1 0.5000\n");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            Table.main(new String[] {ours.toString(), peers.toString(), detail.toString(), gemm.toString()});
        } finally {
            System.setOut(old);
        }
        String t = buf.toString();
        // MLP b128 training: 128 * (2 * 469504 + 67584) FLOPs = 128.8 MFLOP in 2 ms = 64 GFLOPS, 64 % of 100
        assertTrue(t.contains("| mlp | train-b128 | 1 | 2.000 | 4.000 | - | 8.000 | 0.50x | - | 0.25x | 0.50x | - | 64 % | 592 / 600 |"), t);
        // MLP b128 inference: 128 * 469504 = 60.1 MFLOP in 0.601 ms = 100 GFLOPS: the GEMM limit
        assertTrue(t.contains("| mlp | infer-b128 | 1 | 0.6010 | - | 0.5000 | - | - | 1.20x | - | - | 1.50x | 100 % | - |"), t);
        assertTrue(t.contains("| lstm | train-b32 | 1 | 30.000 (FAILED CHECK) | 10.000 | - | - | 3.00x | - | - | - | - | "), t);
    }

    @Test void reportsTheSpeedUpFromOneThreadToTwo(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("dlc.txt");
        Files.writeString(ours, String.join("\n",
                "dlc-jvm mlp train-b32 1 0.6000",
                "# dlc-jvm mlp train-b32 1 median_ms=0.6000 steps_per_s=1666.0 p10_ms=0.5000 p90_ms=0.7",
                "dlc-jvm mlp infer-b1 1 0.0140",
                "dlc-jvm mlp train-b32 2 0.4000",
                "# dlc-jvm mlp train-b32 2 median_ms=0.4000 steps_per_s=2500.0 p10_ms=0.2500 p90_ms=0.5",
                "dlc-jvm mlp infer-b1 2 0.0200", ""));
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            Table.main(new String[] {ours.toString()});
        } finally {
            System.setOut(old);
        }
        String t = buf.toString();
        // 0.6 / 0.4 = 1.50x by the medians, 0.5 / 0.25 = 2.00x by the p10s; training rows carry the target
        assertTrue(t.contains("| mlp | train-b32 | 2 | 0.6000 | 0.4000 | 1.50x | 2.00x | >= 1.7x |"), t);
        // a slowdown shows as a ratio below 1; no p10 lines, no p10 ratio
        assertTrue(t.contains("| mlp | infer-b1 | 2 | 0.0140 | 0.0200 | 0.70x | - | - |"), t);
    }
}
