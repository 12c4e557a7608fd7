package dlc.cli;

import dlc.codegen.opencl.Devices;
import dlc.codegen.opencl.OpenClException;
import dlc.data.NpyFiles;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code --backend opencl} as a user runs it: the shipped MLPs', LeNet's and the transformer's eval graphs through {@code dlc run}
 * equal the JVM backend's within float32 tolerance (both compute in float32 with different
 * summation orders and math libraries: 1e-5 relative plus 1e-6 absolute on probabilities and
 * losses of order 1); {@code dlc ir --emit opencl} prints the kernels; an op form without a kernel is
 * one line naming it; integer division equals the JVM backend's and fails as it does on a zero divisor; {@code --device} without the OpenCL backend is a usage error. On a machine
 * without an OpenCL platform the device tests are skipped (failed under CI=true).
 */
class OpenClBackendCliTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static void requireDevice() {
        try {
            Devices.find(null);
        } catch (OpenClException e) {
            if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true, so the OpenCL tests must run, but: " + e.getMessage());
            Assumptions.assumeTrue(false, "OpenCL tests skipped: " + e.getMessage());
        }
    }

    @Test void runOnOpenClEqualsTheJvmBackend(@TempDir Path dir) throws Exception {
        requireDevice();
        for (String example : new String[]{"mlp.dl", "mlp_moons.dl", "lenet.dl", "transformer.dl"}) {
            Path jvm = dir.resolve(example + ".jvm"), cl = dir.resolve(example + ".cl");
            String file = EXAMPLES.resolve(example).toString();
            CliHarness.Result a = CliHarness.exec(Toolchain.standard(), "run", file, "--batch", "37", "--seed", "5", "--output-dir", jvm.toString());
            CliHarness.Result b = CliHarness.exec(Toolchain.standard(), "run", file, "--batch", "37", "--seed", "5", "--output-dir", cl.toString(),
                    "--backend", "opencl");
            assertEquals(0, a.code(), a.toString());
            assertEquals(0, b.code(), b.toString());
            int outputs = 0;
            try (var files = Files.list(jvm)) {
                for (Path f : files.toList()) {
                    Tensor want = NpyFiles.read(f), got = NpyFiles.read(cl.resolve(f.getFileName()));
                    assertArrayEquals(want.shape(), got.shape(), example + " " + f.getFileName());
                    for (int i = 0; i < want.data().length; i++) {
                        double x = want.data()[i], y = got.data()[i];
                        assertFalse(Double.isNaN(x) || Double.isNaN(y), example + " " + f.getFileName() + "[" + i + "] is NaN");
                        assertEquals(x, y, 1e-5 * Math.abs(x) + 1e-6, example + " " + f.getFileName() + "[" + i + "]");
                    }
                    outputs++;
                }
            }
            assertTrue(outputs >= 2, example + ": outputs written: " + outputs);
        }
    }

    /**
     * The README's moons run (512 samples, 20 epochs of SGD 0.5) trained on OpenCL reaches the JVM
     * backend's bar in ShippedExamplesTrainTest (0.95 held out), and {@code dlc eval} on OpenCL
     * reads the checkpoint back to the same validation figures the JVM backend prints.
     */
    @Test void trainingOnOpenClReachesTheJvmBarAndEvalAgrees(@TempDir Path dir) {
        requireDevice();
        String file = EXAMPLES.resolve("mlp_moons.dl").toString(), ckpt = dir.resolve("m.safetensors").toString();
        CliHarness.Result t = CliHarness.exec(Toolchain.standard(), "train", file, "--backend", "opencl", "--out", ckpt);
        assertEquals(0, t.code(), t.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("validation accuracy ([0-9.]+)%").matcher(t.out());
        assertTrue(m.find(), t.toString());
        assertTrue(Double.parseDouble(m.group(1)) >= 95, "held-out moons accuracy on OpenCL: " + m.group(1) + "% (bar 95%)");
        CliHarness.Result cl = CliHarness.exec(Toolchain.standard(), "eval", file, "--weights", ckpt, "--backend", "opencl");
        CliHarness.Result jvm = CliHarness.exec(Toolchain.standard(), "eval", file, "--weights", ckpt);
        assertEquals(0, cl.code(), cl.toString());
        assertEquals(jvm.out().lines().filter(l -> l.startsWith("validation:")).toList(),
                cl.out().lines().filter(l -> l.startsWith("validation:")).toList(), cl + "\n" + jvm);
        // the checkpoint holds the weights training ended with (kept on the device while it ran): read back
        // into the same kernels, they score exactly what training printed for them
        java.util.regex.Matcher loss = java.util.regex.Pattern.compile("validation loss ([0-9.]+)").matcher(t.out());
        assertTrue(loss.find(), t.toString());
        String expected = String.format("validation: loss %s, accuracy %s%% (", loss.group(1), m.group(1));
        assertEquals(1, cl.out().lines().filter(l -> l.startsWith(expected)).count(), expected + "\n" + t + "\n" + cl);
    }

    @Test void irEmitOpenclPrintsTheGeneratedKernels() {
        CliHarness.Result r = CliHarness.exec(Toolchain.standard(), "ir", EXAMPLES.resolve("mlp_moons.dl").toString(), "--emit", "opencl", "--graph", "eval");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("// dlc OpenCL program for graph eval: "), r.toString());
        assertTrue(java.util.regex.Pattern.compile("__kernel void k\\d+\\(__global float\\* F").matcher(r.out()).find(), r.toString());
        assertTrue(r.out().contains("tanh("), r.toString());
    }

    /**
     * An f16 model (f16 storage, arithmetic in double, rounding at each cast, as on the JVM) runs on
     * OpenCL with the JVM backend's exact values: `--emit opencl` shows the rounding helper, and
     * `dlc run` writes the same bits on both backends.
     */
    @Test void halfModelsRunAsOnTheJvm(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("half.dl");
        Files.writeString(model, """
                model Half {
                  input  x: f32[B, 4]
                  output y = cast(cast(x * 1000.0, f16) * cast(x, f16) + cast(x, f16), f32)
                }
                """);
        CliHarness.Result ir = CliHarness.exec(Toolchain.standard(), "ir", model.toString(), "--emit", "opencl");
        assertEquals(0, ir.code(), ir.toString());
        assertTrue(ir.out().contains("dlc_f16((double)("), ir.toString());
        requireDevice();
        Path jvm = dir.resolve("jvm"), cl = dir.resolve("cl");
        CliHarness.Result a = CliHarness.exec(Toolchain.standard(), "run", model.toString(), "--batch", "7", "--seed", "3", "--output-dir", jvm.toString());
        CliHarness.Result b = CliHarness.exec(Toolchain.standard(), "run", model.toString(), "--batch", "7", "--seed", "3", "--output-dir", cl.toString(),
                "--backend", "opencl");
        assertEquals(0, a.code(), a.toString());
        assertEquals(0, b.code(), b.toString());
        Tensor want = NpyFiles.read(jvm.resolve("y.npy")), got = NpyFiles.read(cl.resolve("y.npy"));
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.data(), got.data());
        assertTrue(java.util.Arrays.stream(want.data()).anyMatch(v -> v != Math.rint(v)), "f16 values with fractions");
    }

    /**
     * Integer division and modulo run on OpenCL with the JVM backend's exact values, and a zero
     * divisor is the JVM backend's one-line runtime error (exit 1) naming the op and where it is.
     */
    @Test void integerDivisionRunsAndAZeroDivisorIsTheJvmBackendsError(@TempDir Path dir) throws Exception {
        requireDevice();
        Path model = dir.resolve("intdiv.dl"), zero = dir.resolve("zero.dl");
        Files.writeString(model, """
                model IntDiv {
                  input  x: i32[B, 4]
                  output y = (x * 1000 - 3001) / (x * x + 1)
                  output z = (x * 7 - 20) % (x * x + 3)
                }
                """);
        Path jvm = dir.resolve("jvm"), cl = dir.resolve("cl");
        CliHarness.Result a = CliHarness.exec(Toolchain.standard(), "run", model.toString(), "--batch", "5", "--seed", "3", "--output-dir", jvm.toString());
        CliHarness.Result b = CliHarness.exec(Toolchain.standard(), "run", model.toString(), "--batch", "5", "--seed", "3", "--output-dir", cl.toString(),
                "--backend", "opencl");
        assertEquals(0, a.code(), a.toString());
        assertEquals(0, b.code(), b.toString());
        for (String out : new String[]{"y.npy", "z.npy"}) {
            Tensor want = NpyFiles.read(jvm.resolve(out)), got = NpyFiles.read(cl.resolve(out));
            assertArrayEquals(want.shape(), got.shape(), out);
            assertArrayEquals(want.data(), got.data(), out);
            assertTrue(java.util.Arrays.stream(want.data()).anyMatch(v -> v != 0), out + " is not all zeros");
        }
        Files.writeString(zero, """
                model IntZero {
                  input  x: i32[B, 4]
                  output y = x / (x - x)
                }
                """);
        CliHarness.Result jz = CliHarness.exec(Toolchain.standard(), "run", zero.toString());
        CliHarness.Result cz = CliHarness.exec(Toolchain.standard(), "run", zero.toString(), "--backend", "opencl");
        assertEquals(1, jz.code(), jz.toString());
        assertEquals(1, cz.code(), cz.toString());
        assertTrue(cz.err().matches("dlc: runtime error in div at .*zero.dl:3:\\d+: integer div by zero\n"), cz.toString());
        assertEquals(jz.err(), cz.err());
    }

    @Test void deviceWithoutTheOpenClBackendIsAUsageError() {
        CliHarness.Result r = CliHarness.exec(Toolchain.standard(), "run", EXAMPLES.resolve("mlp.dl").toString(), "--device", "0");
        assertEquals(2, r.code(), r.toString());
        assertEquals("dlc: --device chooses an OpenCL device; it needs --backend opencl\n", r.err());
    }

    @Test void narrowWeightsAreRefusedOnOpenClNotRunOnTheJvm() {
        CliHarness.Result r = CliHarness.exec(Toolchain.standard(), "run", EXAMPLES.resolve("mlp.dl").toString(), "--backend", "opencl",
                "--weights-dtype", "bf16");
        assertEquals(2, r.code(), r.toString());
        assertEquals("dlc: --weights-dtype bf16 is not supported by the OpenCL backend yet (use --backend jvm)\n", r.err());
    }
}
