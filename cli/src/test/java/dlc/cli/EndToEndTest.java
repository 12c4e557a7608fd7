package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** The commands on real .dl sources, through the frontend, the printer and the interpreter. */
class EndToEndTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    /** y = 2 * x + w with w initialized to ones: exact, so the printed statistics are known. */
    private static final String SCALE = """
            model Scale {
              input  x: f32[B, 3]
              param  w: f32[3] = ones()
              output y = x * 2.0 + w
              output total = sum(y)
            }
            """;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void checkAcceptsAGoodFileAndNamesItsModels() throws Exception {
        Path f = write("scale.dl", SCALE);
        CliHarness.Result r = exec(DLC, "check", f.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("ok: " + f + ": model Scale\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void checkReportsALocatedDiagnosticAndExits1() throws Exception {
        Path f = write("bad.dl", """
                model Bad {
                  input x: f32[B, 3]
                  output y = x + nope
                }
                """);
        CliHarness.Result r = exec(DLC, "check", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().startsWith(f + ":3:18: error: "), r::toString);
        assertTrue(r.err().contains("\n      output y = x + nope\n                     ^~~~\n"), r::toString);
    }

    @Test
    void checkLowersEveryModelNotOnlyTheFirst() throws Exception {
        Path f = write("two.dl", SCALE + """
                model Broken {
                  input x: f32[B, 3]
                  output y = x @ x
                }
                """);
        CliHarness.Result r = exec(DLC, "check", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(f + ":9:14: error: matmul shapes do not match"), r::toString);
        assertEquals(1, r.err().lines().filter(l -> l.contains("error:")).count(), r::toString);
        assertEquals(0, exec(DLC, "check", f.toString(), "--model", "Scale").code());
    }

    @Test
    void runPrintsShapesAndExactStatisticsForGivenInputs() throws Exception {
        Path f = write("scale.dl", SCALE);
        Path x = dir.resolve("x.npy"), out = dir.resolve("out");
        NpyFiles.write(x, new Tensor(DType.F32, new int[]{2, 3}, new double[]{0, 1, 2, 3, 4, 5}));
        CliHarness.Result r = exec(DLC, "run", f.toString(), "--input", "x=" + x, "--output-dir", out.toString());
        assertEquals(0, r.code(), r::toString);
        // y = 2x + 1 = [1, 3, 5, 7, 9, 11]: mean 6, population std sqrt(70 / 6) = 3.41565
        assertTrue(r.out().startsWith("model Scale (eval, seed 0): B = 2\n"), r::toString);
        assertTrue(r.out().contains("\ny: f32[2, 3]  min 1.00000  max 11.0000  mean 6.00000  std 3.41565  nan 0\n"), r::toString);
        assertTrue(r.out().contains("\ntotal: f32[] = 36.0000\n"), r::toString);
        assertEquals(new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 3, 5, 7, 9, 11}), NpyFiles.read(out.resolve("y.npy")));
    }

    @Test
    void runDrawsRandomInputsWithTheBatchSize() throws Exception {
        CliHarness.Result r = exec(DLC, "run", write("scale.dl", SCALE).toString(), "--batch", "4");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("model Scale (eval, seed 0): B = 4, random inputs x\n"), r::toString);
        assertTrue(r.out().contains("\ny: f32[4, 3]  min "), r::toString);
    }

    @Test
    void runRejectsAWrongInputShape() throws Exception {
        Path x = dir.resolve("x.npy");
        NpyFiles.write(x, Tensor.zeros(DType.F32, 2, 5));
        CliHarness.Result r = exec(DLC, "run", write("scale.dl", SCALE).toString(), "--input", "x=" + x);
        assertEquals(1, r.code());
        assertEquals("dlc: input 'x' expects shape [B, 3], but " + x + " has shape [2, 5]\n", r.err());
    }

    @Test
    void modelParametersCanBeOverridden() throws Exception {
        Path f = write("wide.dl", """
                model Wide(n: int = 3) {
                  input  x: f32[B, n]
                  output y = x * 2.0
                }
                """);
        assertTrue(exec(DLC, "run", f.toString(), "-P", "n=5").out().contains("\ny: f32[2, 5]  min "));
    }

    @Test
    void irPrintsTheModuleAndOneGraph() throws Exception {
        Path f = write("scale.dl", SCALE);
        CliHarness.Result all = exec(DLC, "ir", f.toString());
        assertEquals(0, all.code(), all::toString);
        assertTrue(all.out().startsWith("module Scale\n"), all::toString);
        CliHarness.Result eval = exec(DLC, "ir", f.toString(), "--graph", "eval", "--passes", "shape-inference{B=4}");
        assertTrue(eval.out().startsWith("graph eval(%x: f32[4, 3], param %w: f32[3]"), eval::toString);
    }

    @Test
    void everyExampleChecks() throws Exception {
        Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
        try (var files = Files.list(examples)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".dl")).toList()) {
                CliHarness.Result r = exec(DLC, "check", f.toString());
                assertEquals(0, r.code(), () -> f + ":\n" + r);
            }
        }
    }

    @Test
    void theReadmeLanguageSampleRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```\n") + 4;
        Path sample = write("readme.dl", readme.substring(start, readme.indexOf("```", start)));
        CliHarness.Result r = exec(DLC, "run", sample.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("\nprobs: f32[2, 10]  min "), r::toString);
    }

    @Test
    void theReadmeCommandRunsTheLstmExample() {
        Path lstm = Path.of("..", "examples", "lstm.dl").toAbsolutePath().normalize();
        CliHarness.Result r = exec(DLC, "run", lstm.toString(), "--dim", "T=5");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("\nprobs: f32[2, 5, 50]  min "), r::toString);
        assertFalse(r.out().contains("nan 1"), r::toString);
    }
}
