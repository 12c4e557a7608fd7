package dlc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Any Error a command throws is one line on stderr: running out of heap or stack is the input's
 * size (exit 1, saying what to change); any other Error is a bug (exit 70). No stack trace
 * without --debug.
 */
class TopLevelErrorsTest {
    @TempDir Path dir;

    private CliHarness.Result checkThrowing(Supplier<Error> error, String... extra) throws Exception {
        Path f = dir.resolve("m.dl");
        Files.writeString(f, "model M {}\n");
        Toolchain throwing = new FakeToolchain(() -> { throw error.get(); });
        String[] args = new String[2 + extra.length];
        args[0] = "check";
        args[1] = f.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return exec(throwing, args);
    }

    @Test
    void outOfMemoryIsOneLineSayingWhatToChange() throws Exception {
        CliHarness.Result r = checkThrowing(() -> new OutOfMemoryError("Java heap space"));
        assertEquals(1, r.code(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().startsWith("dlc: out of memory (Java heap space); the JVM's heap limit is "), r::toString);
        assertTrue(r.err().contains("DLC_JAVA_OPTS=-Xmx") && r.err().contains("--batch"), r::toString);
    }

    @Test
    void stackOverflowIsOneLine() throws Exception {
        CliHarness.Result r = checkThrowing(StackOverflowError::new);
        assertEquals(1, r.code(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().startsWith("dlc: stack overflow"), r::toString);
        assertTrue(r.err().contains("-Xss"), r::toString);
    }

    @Test
    void anyOtherErrorIsABug() throws Exception {
        CliHarness.Result r = checkThrowing(() -> new AssertionError("broken invariant"));
        assertEquals(70, r.code(), r::toString);
        assertEquals("dlc: internal error: java.lang.AssertionError: broken invariant (run with --debug to see the stack trace)\n", r.err());
        CliHarness.Result debug = checkThrowing(() -> new AssertionError("broken invariant"), "--debug");
        assertEquals(70, debug.code(), debug::toString);
        assertTrue(debug.err().contains("\tat "), "--debug shows the stack trace:\n" + debug);
    }

    /** A run that really runs out of heap: the message says what the graph's tensors take. */
    @Test
    void aRunOutOfHeapSaysHowMuchItsTensorsTake() throws Exception {
        // f32[B, 4096] at B = 2^18: 2^30 elements, 8 GiB as float64, more than the test JVM's heap (or the input alone fits and the
        // outputs do not); the message is checked only for its form, because where the heap ends depends on the JVM's limit
        Path f = dir.resolve("big.dl");
        Files.writeString(f, "model Big {\n  input x: f32[B, 4096]\n  output y = x * 2.0 + 1.0\n}\n");
        long need = 3L * 8 * (1L << 18) * 4096;
        if (Runtime.getRuntime().maxMemory() > need) return; // a JVM this large would run it: nothing to check
        CliHarness.Result r = exec(Toolchain.standard(), "run", f.toString(), "--batch", Integer.toString(1 << 18), "--backend", "interp");
        assertEquals(1, r.code(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().startsWith("dlc: out of memory running graph eval: its tensors hold 24.0 GiB together as float64"
                + " (the largest, x: f32[B, 4096], 8.0 GiB) at B = 262144; the JVM's heap limit is "), r::toString);
    }
}
