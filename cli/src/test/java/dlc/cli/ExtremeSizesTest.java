package dlc.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Sizes no Java array holds, negative sizes and dims that divide by zero: one line naming the
 * tensor (its source location or input name), its size and the limit, exit 1 on both backends;
 * never an overflow, a NegativeArraySizeException or a division by zero reported as a bug.
 */
class ExtremeSizesTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();
    private static final String EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize().toString();

    private static final String OUTER = "model M {\n  input a: f32[N, 1]\n  input b: f32[1, N]\n  output c = a + b\n}\n";
    private static final String DIVIDED = "model M {\n  input x: f32[B, T]\n  input z: f32[B / T]\n  output c = z * 2\n}\n";
    private static final String WIDE_PARAM = "model M {\n  input x: f32[B, 2]\n  param w: f32[2, 1073741824] = zeros()\n  output c = x @ w\n}\n";
    private static final String PADDED = "import std.nn.{conv}\nmodel M {\n  input x: f32[B, 3, 8, 8]\n  output c = conv(x, 8, 3, padding=46341)\n}\n";

    private String file(String source) throws Exception {
        if (source.startsWith("examples/")) return EXAMPLES + source.substring("examples".length());
        Path f = dir.resolve("m.dl");
        Files.writeString(f, switch (source) {
            case "OUTER" -> OUTER;
            case "DIVIDED" -> DIVIDED;
            case "WIDE_PARAM" -> WIDE_PARAM;
            case "PADDED" -> PADDED;
            case "STRIDED" -> PADDED.replace("padding=46341", "stride=9223372036854775807");
            default -> throw new IllegalArgumentException(source);
        });
        return f.toString();
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @CsvSource(delimiter = '|', value = {
            "examples/mlp.dl | --batch 1073741824 | jvm    | input 'x' f32[B, 2] is [1073741824, 2] with B = 1073741824: 2147483648 elements, more than a Java array holds (2147483639)",
            "examples/mlp.dl | --batch 1073741824 | interp | input 'x' f32[B, 2] is [1073741824, 2]",
            "examples/mlp.dl | --dim B=3000000000 | jvm    | input 'x' f32[B, 2] is [3000000000, ...] with B = 3000000000: a size more than a Java array holds",
            "examples/mlp.dl | -P hidden=100000000 | jvm   | f32[100000000, 100000000] is [100000000, 100000000]: 10000000000000000 elements, more than a Java array holds",
            "examples/mlp.dl | -P hidden=100000000 | interp | 10000000000000000 elements, more than a Java array holds",
            "examples/lstm.dl | --dim T=0         | jvm    | f32[B, T - 1, 50] is [2, -1, ...] with B = 2, T = 0: a negative size",
            "examples/lstm.dl | --dim T=0         | interp | f32[B, T - 1, 50] is [2, -1, ...] with B = 2, T = 0: a negative size",
            "OUTER           | --dim N=100000     | jvm    | m.dl:4:14: add (output 'c' of graph eval) gives f32[N, N] is [100000, 100000] with N = 100000: 10000000000 elements, more than a Java array holds",
            "OUTER           | --dim N=100000     | interp | m.dl:4:14: add (output 'c' of graph eval) gives f32[N, N] is [100000, 100000]",
            "DIVIDED         | --dim T=0          | jvm    | input 'z' f32[((B)/(T))] cannot be computed with B = 2, T = 0: the dim (B)/(T) divides by zero (T = 0)",
            "DIVIDED         | --dim T=0          | interp | the dim (B)/(T) divides by zero (T = 0)",
            "WIDE_PARAM      | --seed 0           | jvm    | m.dl:3:33: constant (output 'w' of graph init) gives f32[2, 1073741824] is [2, 1073741824]: 2147483648 elements, more than a Java array holds",
            "WIDE_PARAM      | --seed 0           | interp | m.dl:3:33: constant (output 'w' of graph init) gives f32[2, 1073741824]",
            "PADDED          | --seed 0           | jvm    | conv2d gives f32[B, 8, 92688, 92688]: its constant dims alone make 68728522752+ elements",
            "STRIDED         | --seed 0           | jvm    | a convolution or pooling size, stride or padding of 9223372036854775807 is beyond what the JVM backend's kernels take",
    })
    void aSizeNoArrayHoldsIsOneLineAndExit1(String source, String flags, String backend, String expected) throws Exception {
        String[] f = flags.split(" ");
        CliHarness.Result r = exec(DLC, "run", file(source), f[0], f[1], "--backend", backend);
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("dlc: "), r::toString);
        assertTrue(r.err().contains(expected), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertFalse(r.err().contains("internal error"), r::toString);
    }
}
