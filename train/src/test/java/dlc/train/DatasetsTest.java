package dlc.train;

import dlc.data.Column;
import dlc.data.Dataset;
import dlc.data.NpyFiles;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {
    @TempDir Path dir;

    @Test void builtInSetsTakeTheirArguments() throws Exception {
        Dataset m = Datasets.load("two_moons", Map.of("n", 40L, "noise", 0.0, "seed", 3L), null, null);
        assertEquals(40, m.size());
        assertEquals(2, m.numClasses());
        // noise 0: every class-0 point lies on the unit circle
        for (int i = 0; i < 40; i += 2) assertEquals(1.0, Math.hypot(m.features().value(i, 0), m.features().value(i, 1)), 1e-6);
        assertEquals(3, Datasets.load("spirals", Map.of("n", 30L, "arms", 3L), null, null).numClasses());
        assertArrayEquals(new int[]{10, 5, 1}, Datasets.load("sine", Map.of("n", 10L, "steps", 5L), null, null).features().shape());
        assertEquals(Datasets.DEFAULT_SAMPLES, Datasets.load("xor", Map.of(), null, null).size());
        assertArrayEquals(new int[]{7, 6}, Datasets.load("markov", Map.of("n", 7L, "length", 6L, "vocab", 5L), null, null).column("tokens").shape());
        Dataset r = Datasets.load("reverse", Map.of("n", 7L, "length", 3L, "vocab", 6L), null, null);
        assertArrayEquals(new int[]{7, 3}, r.column("src").shape());
        assertArrayEquals(new int[]{7, 4}, r.column("tgt_out").shape());
    }

    @Test void unknownSetsAndArgumentsAreNamed() {
        TrainException a = assertThrows(TrainException.class, () -> Datasets.load("digits", Map.of(), null, null));
        assertTrue(a.getMessage().startsWith("unknown data set 'digits'; known sets are [moons, two_moons"), a.getMessage());
        TrainException b = assertThrows(TrainException.class, () -> Datasets.load("moons", Map.of("nosie", 0.1), null, null));
        assertTrue(b.getMessage().contains("has no argument 'nosie'"), b.getMessage());
        TrainException c = assertThrows(TrainException.class, () -> Datasets.load("moons", Map.of("n", "many"), null, null));
        assertTrue(c.getMessage().contains("n must be an integer, got \"many\""), c.getMessage());
        TrainException f = assertThrows(TrainException.class, () -> Datasets.load("moons", Map.of("n", 25.5), null, null));
        assertTrue(f.getMessage().contains("n must be an integer, got 25.5"), f.getMessage());
        TrainException l = assertThrows(TrainException.class, () -> Datasets.load("spirals", Map.of("arms", java.util.List.of(1L, 2L)), null, null));
        assertTrue(l.getMessage().contains("arms must be an integer, got [1, 2]"), l.getMessage());
        TrainException s = assertThrows(TrainException.class, () -> Datasets.load("csv", Map.of("path", 3L), null, null));
        assertTrue(s.getMessage().contains("path must be a string, got 3"), s.getMessage());
        TrainException d = assertThrows(TrainException.class, () -> Datasets.load("csv", Map.of(), null, null));
        assertTrue(d.getMessage().contains("needs the argument path=..."), d.getMessage());
    }

    @Test void csvAndNpyFilesResolveNextToTheModel() throws Exception {
        Files.writeString(dir.resolve("d.csv"), "a,b,class\n1,2,cat\n3,4,dog\n5,6,cat\n");
        Dataset c = Datasets.load("csv", Map.of("path", "d.csv", "label", "class"), dir, null);
        assertEquals(3, c.size());
        assertEquals(2, c.numClasses());
        NpyFiles.write(dir.resolve("x.npy"), new Tensor(DType.F32, new int[]{3, 2}, new double[]{1, 2, 3, 4, 5, 6}));
        NpyFiles.write(dir.resolve("y.npy"), new Tensor(DType.I32, new int[]{3}, new double[]{0, 1, 0}));
        Dataset n = Datasets.load("npy", Map.of("x", "x.npy", "y", "y.npy"), dir, null);
        assertEquals(java.util.List.of("x", "y"), n.columnNames());
        assertEquals(4.0, n.features().value(1, 1));
    }

    @Test void aMissingFashionMnistNamesWhereItLooked() {
        var e = assertThrows(java.io.IOException.class, () -> Datasets.load("fashion_mnist", Map.of(), null, dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test void inputsAreReshapedAndConvertedToTheModelsTypes() {
        var m = TestModels.compile("""
                model Flat {
                  input x: f32[B, 4]
                  input y: f32[B]
                  param w: f32[4] = zeros()
                  loss mean(x @ w - y)
                }
                """);
        Dataset d = Dataset.of("img", Column.floats("x", new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2), Column.ints("y", new int[]{1, 0}));
        var feed = InputBinding.of(m.graph("train").orElseThrow(), d).feed(d);
        assertArrayEquals(new int[]{2, 4}, feed.get("x").shape());
        assertEquals(DType.F32, feed.get("y").dtype());
        assertEquals(1.0, feed.get("y").data()[0]);
        Dataset wrong = Dataset.of("img", Column.floats("x", new float[]{1, 2, 3, 4, 5, 6}, 3), Column.ints("y", new int[]{1, 0}));
        TrainException e = assertThrows(TrainException.class, () -> InputBinding.of(m.graph("train").orElseThrow(), wrong));
        assertTrue(e.getMessage().contains("model input 'x' is f32[B, 4] but column 'x' of data set 'img' has samples of shape [3] (3 values, need 4)"),
                e.getMessage());
    }
}
