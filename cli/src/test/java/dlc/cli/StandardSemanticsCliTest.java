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

/**
 * Issue 10's semantics through `dlc run` on both backends: u8/i8 .npy inputs need no conversion,
 * integer arithmetic wraps, and a gather index out of range is one located line with exit 1 on
 * the JVM backend as on the interpreter (it was an internal error, exit 70, on the JVM).
 */
class StandardSemanticsCliTest {
    @TempDir Path dir;

    private static final Toolchain DLC = Toolchain.standard();

    private static final String MODEL = """
            model Img {
              input img: u8[N]
              input k: i8[3]
              input a: i32[2]
              input table: f32[5, 2]
              output scaled = cast(img, f32) / 255.0
              output doubled = img + img
              output shifted = k - 100
              output times64 = k * 64
              output product = a * 4
              output rows = table[k]
            }
            """;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private Path npy(String name, DType d, double... v) throws Exception {
        Path f = dir.resolve(name + ".npy");
        NpyFiles.write(f, new Tensor(d, new int[]{v.length}, v));
        return f;
    }

    private CliHarness.Result run(String backend, Path model, Path k, String out) throws Exception {
        Path table = dir.resolve("table.npy");
        NpyFiles.write(table, new Tensor(DType.F32, new int[]{5, 2}, new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        return exec(DLC, "run", model.toString(), "--backend", backend, "--output-dir", dir.resolve(out).toString(),
                "--input", "img=" + npy("img", DType.U8, 0, 100, 200, 255),
                "--input", "k=" + k,
                "--input", "a=" + npy("a", DType.I32, 1073741824, 536870912),
                "--input", "table=" + table);
    }

    @Test
    void u8AndI8InputsRunAndWrapOnBothBackends() throws Exception {
        Path model = write("img.dl", MODEL);
        for (String backend : new String[]{"jvm", "interp"}) {
            CliHarness.Result r = run(backend, model, npy("k", DType.I8, -1, 4, -5), "out_" + backend);
            assertEquals(0, r.code(), r::toString);
            Path out = dir.resolve("out_" + backend);
            Tensor doubled = NpyFiles.read(out.resolve("doubled.npy")), shifted = NpyFiles.read(out.resolve("shifted.npy"));
            assertEquals(DType.U8, doubled.dtype(), "a u8 output is written as |u1");
            assertArrayEquals(new double[]{0, 200, 144, 254}, doubled.data(), backend);
            assertEquals(DType.I8, shifted.dtype());
            assertArrayEquals(new double[]{-101, -96, -105}, shifted.data(), backend);
            assertArrayEquals(new double[]{-64, 0, -64}, NpyFiles.read(out.resolve("times64.npy")).data(), backend + ": 256 and -320 wrap");
            assertArrayEquals(new double[]{0, -2147483648.0}, NpyFiles.read(out.resolve("product.npy")).data(), backend);
            assertArrayEquals(new double[]{8, 9, 8, 9, 0, 1}, NpyFiles.read(out.resolve("rows.npy")).data(), backend + ": -1 and -5 count from the end");
        }
    }

    @Test
    void aGatherIndexOutOfRangeIsALocatedErrorOnBothBackends() throws Exception {
        Path model = write("img.dl", MODEL);
        String[] errs = new String[2];
        String[] backends = {"jvm", "interp"};
        for (int i = 0; i < 2; i++) {
            CliHarness.Result r = run(backends[i], model, npy("k", DType.I8, -1, 5, 0), "bad_" + i);
            assertEquals(1, r.code(), r::toString);
            errs[i] = r.err();
        }
        assertEquals("dlc: runtime error in gather at " + model + ":11:23: gather index 5 is out of range for an axis of size 5 (valid: -5 to 4)\n", errs[0]);
        assertEquals(errs[0], errs[1], "the JVM backend reports what the interpreter reports");
    }
}
