package dlc.cli;

import dlc.data.NpyFiles;
import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Span;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/** The commands on hand-built graphs (a fake toolchain): exit codes, messages, output. */
class CommandsTest {
    @TempDir Path dir;

    private String source() throws Exception {
        Path f = dir.resolve("m.dl");
        Files.writeString(f, "# the fake toolchain ignores this text\n");
        return f.toString();
    }

    private static final Toolchain MODEL = FakeToolchain.lowering(FakeToolchain.model(false));

    // ---- help and version ----------------------------------------------------------------------

    @Test
    void helpWorksForEveryCommand() {
        for (String[] args : List.of(new String[]{"--help"}, new String[]{"check", "--help"}, new String[]{"ir", "--help"},
                new String[]{"run", "--help"}, new String[]{"help", "run"})) {
            CliHarness.Result r = exec(MODEL, args);
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().startsWith("Usage: dlc"), r::toString);
        }
        assertTrue(exec(MODEL, "run", "--help").out().contains("--input=NAME=FILE.npy"));
    }

    @Test
    void versionNamesTheProjectVersion() {
        CliHarness.Result r = exec(MODEL, "--version");
        assertEquals(0, r.code());
        assertTrue(r.out().matches("(?s)dlc \\d+\\.\\d+\\.\\d+.*"), r::toString);
    }

    @Test
    void noCommandIsAUsageError() {
        CliHarness.Result r = exec(MODEL);
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().contains("missing command"), r::toString);
    }

    // ---- check -----------------------------------------------------------------------------------

    @Test
    void checkOkPrintsTheModels() throws Exception {
        String f = source();
        CliHarness.Result r = exec(FakeToolchain.diagnosing(f, "", List.of("Mlp", "Lstm")), "check", f);
        assertEquals(0, r.code(), r::toString);
        assertEquals("ok: " + f + ": models Mlp, Lstm\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void checkErrorsPrintLocatedDiagnosticsAndExit1() throws Exception {
        String f = source();
        String src = "model M {\n  y = relu(q)\n}\n";
        Diagnostic d = Diagnostic.error(new Span(f, 2, 12, 1), "unknown name 'q'", "define q before using it");
        CliHarness.Result r = exec(FakeToolchain.diagnosing(f, src, List.of("M"), d), "check", f);
        assertEquals(1, r.code(), r::toString);
        assertEquals("", r.out());
        assertEquals(f + ":2:12: error: unknown name 'q'\n"
                + "      y = relu(q)\n"
                + "               ^\n"
                + "  hint: define q before using it\n", r.err());
    }

    @Test
    void missingFileIsOneLineAndExit1() {
        CliHarness.Result r = exec(MODEL, "check", dir.resolve("nope.dl").toString());
        assertEquals(1, r.code());
        assertEquals("dlc: no such file: " + dir.resolve("nope.dl") + "\n", r.err());
    }

    @Test
    void unknownModelIsOneLine() throws Exception {
        CliHarness.Result r = exec(MODEL, "run", source(), "--model", "Nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("has no model 'Nope'; it defines M"), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
    }

    // ---- ir --------------------------------------------------------------------------------------

    @Test
    void irPrintsEveryGraphOrTheOneAskedFor() throws Exception {
        String f = source();
        CliHarness.Result all = exec(MODEL, "ir", f);
        assertEquals(0, all.code(), all::toString);
        assertTrue(all.out().startsWith("module M\n\ngraph init(") && all.out().contains("\ngraph eval("), all::toString);
        CliHarness.Result eval = exec(MODEL, "ir", f, "--graph", "eval", "--after", "identity");
        assertTrue(eval.out().startsWith("graph eval(x: f32[B, 3]"), eval::toString);
        assertFalse(eval.out().contains("graph init"));
        CliHarness.Result bad = exec(MODEL, "ir", f, "--graph", "trian");
        assertEquals(1, bad.code());
        assertEquals("dlc: model M has no graph 'trian'; it has init, eval\n", bad.err());
        CliHarness.Result badPass = exec(MODEL, "ir", f, "--after", "nope");
        assertEquals("dlc: unknown pass 'nope'\n", badPass.err());
    }

    // ---- run -------------------------------------------------------------------------------------

    @Test
    void runPrintsShapesOfEveryOutput() throws Exception {
        CliHarness.Result r = exec(MODEL, "run", source());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("model M (eval, seed 0): B = 2, random inputs x, k\n"), r::toString);
        assertTrue(r.out().contains("\ny: f32[2, 3]  min "), r::toString);
        assertTrue(r.out().contains("\nk2: i32[2]  min "), r::toString);
        assertTrue(exec(MODEL, "run", source(), "--batch", "5").out().contains("\ny: f32[5, 3]  min "));
        String unused = exec(MODEL, "run", source(), "--dim", "T=3").out();
        assertTrue(unused.startsWith("model M (eval, seed 0): B = 2, random"), unused); // T is no input's dim
    }

    @Test
    void runIsDeterministicForASeed() throws Exception {
        String f = source();
        assertEquals(exec(MODEL, "run", f, "--seed", "7").out(), exec(MODEL, "run", f, "--seed", "7").out());
        assertNotEquals(exec(MODEL, "run", f, "--seed", "7").out(), exec(MODEL, "run", f, "--seed", "8").out());
    }

    @Test
    void randomIntegersStayInTheirRange() throws Exception {
        Path outDir = dir.resolve("out");
        exec(MODEL, "run", source(), "--batch", "64", "--int-range", "3", "--output-dir", outDir.toString());
        Tensor k2 = NpyFiles.read(outDir.resolve("k2.npy"));
        for (double v : k2.data()) assertTrue(v == 0 || v == 2 || v == 4, "k2 = 2k with k in {0, 1, 2}, got " + v);
    }

    @Test
    void runWithNpyInputsPrintsExactStatisticsAndWritesOutputs() throws Exception {
        Path x = dir.resolve("x.npy"), k = dir.resolve("k.npy"), outDir = dir.resolve("out");
        NpyFiles.write(x, new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 3, 4, 5, 6}));
        NpyFiles.write(k, new Tensor(DType.I64, new int[]{2}, new double[]{3, -1}));
        CliHarness.Result r = exec(MODEL, "run", source(), "--input", "x=" + x, "--input", "k=" + k, "--output-dir", outDir.toString());
        assertEquals(0, r.code(), r::toString);
        // y = x * 1: mean 3.5, population std sqrt(17.5 / 6) = 1.70783
        assertTrue(r.out().contains("\ny: f32[2, 3]  min 1.00000  max 6.00000  mean 3.50000  std 1.70783  nan 0\n"), r::toString);
        assertTrue(r.out().contains("\nk2: i32[2]  min -2.00000  max 6.00000  mean 2.00000  std 4.00000  nan 0\n"), r::toString);
        assertTrue(r.out().contains("wrote 2 outputs to " + outDir), r::toString);
        assertEquals(new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 3, 4, 5, 6}), NpyFiles.read(outDir.resolve("y.npy")));
        assertEquals(new Tensor(DType.I32, new int[]{2}, new double[]{6, -2}), NpyFiles.read(outDir.resolve("k2.npy")));
    }

    @Test
    void givenInputBindsTheBatchForRandomOnes() throws Exception {
        Path x = dir.resolve("x.npy");
        NpyFiles.write(x, Tensor.zeros(DType.F64, 4, 3));
        CliHarness.Result r = exec(MODEL, "run", source(), "--input", "x=" + x);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("B = 4, random inputs k"), r::toString);
        assertTrue(r.out().contains("\nk2: i32[4]  min"), r::toString);
    }

    @Test
    void wrongInputShapeNamesTheInputAndExpectedShape() throws Exception {
        Path x = dir.resolve("x.npy");
        NpyFiles.write(x, Tensor.zeros(DType.F32, 2, 4));
        CliHarness.Result r = exec(MODEL, "run", source(), "--input", "x=" + x);
        assertEquals(1, r.code());
        assertEquals("dlc: input 'x' expects shape [B, 3], but " + x + " has shape [2, 4]\n", r.err());

        CliHarness.Result conflict = exec(MODEL, "run", source(), "--input", "x=" + x.resolveSibling("x3.npy"), "--batch", "5");
        assertEquals(1, conflict.code()); // missing file first
        NpyFiles.write(x, Tensor.zeros(DType.F32, 2, 3));
        CliHarness.Result batch = exec(MODEL, "run", source(), "--input", "x=" + x, "--batch", "5");
        assertEquals(1, batch.code());
        assertEquals("dlc: input 'x' expects shape [B, 3] (B = 5 from --batch 5), but " + x + " has shape [2, 3]\n", batch.err());
    }

    @Test
    void wrongInputDtypeKindIsRejected() throws Exception {
        Path k = dir.resolve("k.npy");
        NpyFiles.write(k, Tensor.zeros(DType.F32, 2));
        CliHarness.Result r = exec(MODEL, "run", source(), "--input", "k=" + k);
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("dlc: input 'k' is i32[B], but " + k + " holds f32 values"), r::toString);
    }

    @Test
    void inputErrorsAreOneLine() throws Exception {
        String f = source();
        CliHarness.Result syntax = exec(MODEL, "run", f, "--input", "x.npy");
        assertEquals(2, syntax.code());
        assertEquals(1, syntax.err().lines().count(), syntax::toString);
        assertEquals("dlc run: Value for option '--input' (NAME=FILE.npy) should be in KEY=VALUE format but was x.npy (see 'dlc run --help')\n", syntax.err());

        CliHarness.Result unknown = exec(MODEL, "run", f, "--input", "z=" + dir.resolve("z.npy"));
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no such file"), unknown::toString);

        Path z = dir.resolve("z.npy");
        NpyFiles.write(z, Tensor.zeros(DType.F32, 1));
        CliHarness.Result noSuchInput = exec(MODEL, "run", f, "--input", "z=" + z);
        assertEquals("dlc: model M has no input 'z'; its inputs are x: f32[B, 3], k: i32[B]\n", noSuchInput.err());

        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        CliHarness.Result bad = exec(MODEL, "run", f, "--input", "x=" + junk);
        assertEquals(1, bad.code());
        assertEquals("dlc: " + junk + ": not a .npy file (it does not start with \\x93NUMPY)\n", bad.err());
    }

    @Test
    void unboundSymbolGetsASmallDefaultThatTheHeaderNames() throws Exception {
        Toolchain t = FakeToolchain.lowering(FakeToolchain.model(true));
        CliHarness.Result r = exec(t, "run", source());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("T = 8 (default; set with --dim T=N)"), r::toString);
        assertTrue(r.out().contains("\ns2: f32[2, 8]  min"), r::toString);
        CliHarness.Result ok = exec(t, "run", source(), "--dim", "T=7");
        assertEquals(0, ok.code(), ok::toString);
        assertTrue(ok.out().contains("\ns2: f32[2, 7]  min"), ok::toString);
        assertEquals(2, exec(t, "run", source(), "--dim", "T=seven").code());
    }

    // ---- internal errors -------------------------------------------------------------------------

    @Test
    void internalErrorsHideTheStackTraceUnlessDebug() throws Exception {
        Toolchain broken = new FakeToolchain(() -> { throw new IllegalStateException("boom"); });
        CliHarness.Result r = exec(broken, "check", source());
        assertEquals(70, r.code());
        assertEquals("dlc: internal error: java.lang.IllegalStateException: boom (run with --debug to see the stack trace)\n", r.err());
        CliHarness.Result debug = exec(broken, "check", "--debug", source());
        assertTrue(debug.err().contains("\tat dlc.cli."), debug::toString);
        assertTrue(exec(broken, "--debug", "check", source()).err().contains("\tat dlc.cli."));
    }

    @Test
    void outputFileNamesAreSafe() {
        assertEquals("encoder.dense_1.w.npy", RunCommand.fileName("encoder.dense_1.w"));
        assertEquals("a_b_c.npy", RunCommand.fileName("a/b c"));
    }
}
