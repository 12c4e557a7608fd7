package dlc.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds and loads Fashion-MNIST (also works for MNIST, which uses the same file names). The IDX
 * files are {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each optionally with {@code .gz}
 * (Debian's {@code dataset-fashion-mnist} package installs the {@code .gz} files in
 * {@value #SYSTEM_DIR}). Places searched: the explicit directory ({@code --data DIR}) alone when
 * one is given; otherwise {@code $DLC_DATA}, then {@value #SYSTEM_DIR}; each also with a
 * {@code fashion-mnist} subdirectory.
 */
public final class FashionMnist {
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String ENV = "DLC_DATA";
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** The training (60,000 images) or test (10,000 images) part. */
    public enum Part {
        TRAIN("train"), TEST("t10k");

        final String prefix;

        Part(String prefix) { this.prefix = prefix; }

        String images() { return prefix + "-images-idx3-ubyte"; }

        String labels() { return prefix + "-labels-idx1-ubyte"; }
    }

    /** Loads one part from the first place that has it ({@link #locate}); see {@link IdxDataset#load}. */
    public static Dataset load(Path explicitDir, Part part) throws IOException {
        return load(explicitDir, System.getenv(), part);
    }

    /** As {@link #load(Path, Part)} with an explicit environment (for tests). */
    public static Dataset load(Path explicitDir, Map<String, String> env, Part part) throws IOException {
        Path dir = locate(explicitDir, env, part);
        return IdxDataset.load("fashion-mnist-" + part.name().toLowerCase(), file(dir, part.images()), file(dir, part.labels()), 10, CLASS_NAMES);
    }

    /**
     * The first directory of {@link #searchPath} that holds both files of {@code part} (gzipped or
     * not); a {@link DataException} naming every place searched and the files looked for otherwise.
     */
    public static Path locate(Path explicitDir, Map<String, String> env, Part part) throws DataException {
        return locate(explicitDir, env, part, Path.of(SYSTEM_DIR));
    }

    /**
     * As {@link #locate(Path, Map, Part)} with {@code systemDir} in place of {@value #SYSTEM_DIR}
     * (tests of the "not found" message on a machine where the Debian package is installed).
     */
    static Path locate(Path explicitDir, Map<String, String> env, Part part, Path systemDir) throws DataException {
        List<Path> places = searchPath(explicitDir, env, systemDir);
        for (Path dir : places)
            if (file(dir, part.images()) != null && file(dir, part.labels()) != null) return dir;
        StringBuilder msg = new StringBuilder("Fashion-MNIST (" + part.name().toLowerCase() + ") not found: looked for "
                + part.images() + "[.gz] and " + part.labels() + "[.gz] in");
        for (Path p : places) msg.append("\n  ").append(p);
        if (explicitDir == null) msg.append("\n  (no --data DIR given)");
        if (blank(env.get(ENV))) msg.append("\n  ($" + ENV + " is not set)");
        msg.append("\nGive --data DIR, set $" + ENV + ", or install Debian's dataset-fashion-mnist package.");
        throw new DataException(msg.toString());
    }

    /**
     * The directories searched, in order, without duplicates. An explicit directory (--data) is the
     * only place searched: a user who names one wants that copy, and a typo must not silently fall
     * back to another.
     */
    public static List<Path> searchPath(Path explicitDir, Map<String, String> env) {
        return searchPath(explicitDir, env, Path.of(SYSTEM_DIR));
    }

    private static List<Path> searchPath(Path explicitDir, Map<String, String> env, Path systemDir) {
        Set<Path> places = new LinkedHashSet<>();
        if (explicitDir != null) {
            places.add(explicitDir);
            places.add(explicitDir.resolve("fashion-mnist"));
            return new ArrayList<>(places);
        }
        String root = env.get(ENV);
        if (!blank(root)) {
            Path r = Path.of(root);
            places.add(r);
            places.add(r.resolve("fashion-mnist"));
        }
        places.add(systemDir);
        return new ArrayList<>(places);
    }

    /** {@code dir/name} or {@code dir/name.gz}, whichever exists (plain first), else null. */
    private static Path file(Path dir, String name) {
        for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz")))
            if (Files.isRegularFile(p)) return p;
        return null;
    }

    private static boolean blank(String s) { return s == null || s.isBlank(); }
}
