package dlc.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FashionMnistTest {
    @TempDir Path dir;

    /** Writes a fake 2-image part with the real file names into {@code d}. */
    static void fake(Path d, String prefix, boolean gz) throws IOException {
        Files.createDirectories(d);
        String ext = gz ? ".gz" : "";
        Idx.write(d.resolve(prefix + "-images-idx3-ubyte" + ext), Idx.Type.UBYTE, new int[]{2, 28, 28}, new double[2 * 784], gz);
        Idx.write(d.resolve(prefix + "-labels-idx1-ubyte" + ext), Idx.Type.UBYTE, new int[]{2}, new double[]{9, 0}, gz);
    }

    @Test void explicitDirectoryIsTheOnlyPlaceSearchedElseEnvironmentThenSystem() throws IOException {
        Path explicit = dir.resolve("explicit"), env = dir.resolve("env");
        fake(explicit, "train", true);
        fake(env.resolve("fashion-mnist"), "train", false);
        Map<String, String> e = Map.of(FashionMnist.ENV, env.toString());
        assertEquals(explicit, FashionMnist.locate(explicit, e, FashionMnist.Part.TRAIN));
        // a --data that holds nothing is an error, never a silent fall-back to another copy
        assertThrows(DataException.class, () -> FashionMnist.locate(dir.resolve("empty"), e, FashionMnist.Part.TRAIN));
        assertEquals(env.resolve("fashion-mnist"), FashionMnist.locate(null, e, FashionMnist.Part.TRAIN));
        assertEquals(java.util.List.of(explicit, explicit.resolve("fashion-mnist")), FashionMnist.searchPath(explicit, e));
        assertEquals(java.util.List.of(env, env.resolve("fashion-mnist"), Path.of(FashionMnist.SYSTEM_DIR)), FashionMnist.searchPath(null, e));
    }

    @Test void loadsAPartWithClassNames() throws IOException {
        fake(dir, "t10k", false);
        Dataset d = FashionMnist.load(dir, Map.of(), FashionMnist.Part.TEST);
        assertEquals(2, d.size());
        assertArrayEquals(new int[]{2, 1, 28, 28}, d.features().shape());
        assertEquals("Ankle boot", d.classNames().get(d.labels().ints()[0]));
        assertEquals(10, d.numClasses());
    }

    @Test void missingDataNamesEveryPlaceSearched() throws IOException {
        fake(dir.resolve("onlytrain"), "train", true);
        DataException ex = assertThrows(DataException.class, () -> FashionMnist.locate(dir.resolve("onlytrain"), Map.of(), FashionMnist.Part.TEST));
        String m = ex.getMessage();
        assertTrue(m.contains("t10k-images-idx3-ubyte"), m);
        assertTrue(m.contains(dir.resolve("onlytrain").toString()), m);
        assertTrue(m.contains(dir.resolve("onlytrain").resolve("fashion-mnist").toString()), m);
        assertTrue(m.contains("--data") && m.contains("$DLC_DATA"), m);
        assertTrue(FashionMnist.searchPath(null, Map.of()).contains(Path.of(FashionMnist.SYSTEM_DIR)), "the Debian package's directory is searched");
    }

    @Test void missingMessageSaysWhatWasNotGiven() {
        String m = assertThrows(DataException.class, () -> FashionMnist.locate(null, Map.of(), FashionMnist.Part.TRAIN, dir.resolve("system"))).getMessage();
        assertTrue(m.contains("no --data DIR given") && m.contains("$DLC_DATA is not set"), m);
    }
}
