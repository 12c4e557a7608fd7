package dlc.cli;

import dlc.data.NpyFiles;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dlc.cli.CliHarness.exec;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 9, item 1, as a user met it: {@code dlc run red.dl --seed 3} printed d = 0.282839 on the
 * JVM backend and 0 on the interpreter (a reduction over a size-1 dim, simplified to a reshape and
 * fused with its producer and consumer, was read before it was written). Both backends must give
 * exactly 0 (b - b), for sum and for mean, on several seeds.
 */
class SizeOneReductionRunTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    @Test
    void elementMinusItsReductionIsZeroOnBothBackends() throws Exception {
        for (String red : new String[]{"sum", "mean"}) {
            Path f = dir.resolve(red + ".dl");
            Files.writeString(f, """
                    model Red {
                      input y: f32[1]
                      b = -y
                      output d = b - RED(b)
                    }
                    """.replace("RED", red));
            for (String seed : new String[]{"0", "3", "11"})
                for (String backend : new String[]{"jvm", "interp"}) {
                    Path out = dir.resolve(red + seed + backend);
                    CliHarness.Result r = exec(DLC, "run", f.toString(), "--seed", seed, "--backend", backend, "--output-dir", out.toString());
                    assertEquals(0, r.code(), r::toString);
                    Tensor d = NpyFiles.read(out.resolve("d.npy"));
                    assertArrayEquals(new int[]{1}, d.shape());
                    assertEquals(0.0, d.data()[0], red + ", seed " + seed + ", backend " + backend + ": " + r.out());
                }
        }
    }
}
