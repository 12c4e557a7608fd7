package dlc.train;

import dlc.data.Column;
import dlc.data.Csv;
import dlc.data.Dataset;
import dlc.data.FashionMnist;
import dlc.data.NpyFiles;
import dlc.data.Synthetic;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the data set a training plan names: the built-in synthetic sets, Fashion-MNIST, CSV and
 * {@code .npy} files. Arguments arrive as text by name (from a train block's
 * {@code data moons(n=512, noise=0.1)} or a test); unknown arguments are an error, not ignored.
 */
public final class Datasets {
    private Datasets() {}

    /** Every accepted name. */
    public static final List<String> NAMES = List.of("moons", "two_moons", "spirals", "sine", "copy", "xor", "blobs",
            "markov", "reverse", "gratings", "fashion_mnist", "csv", "npy");

    /** Default sample count of a synthetic set. */
    public static final int DEFAULT_SAMPLES = 1024;

    /**
     * Loads data set {@code name} with {@code args}. Relative file paths are resolved against
     * {@code baseDir} (the .dl file's directory); {@code dataDir} is the {@code --data DIR} for
     * Fashion-MNIST (may be null). A synthetic set's samples depend only on its arguments
     * ({@code seed}, default 0), not on the training seed, so every run sees the same data.
     */
    public static Dataset load(String name, Map<String, String> args, Path baseDir, Path dataDir) throws IOException {
        Args a = new Args(name, args);
        Dataset d = switch (name) {
            case "moons", "two_moons" -> Synthetic.twoMoons(a.i("n", DEFAULT_SAMPLES), a.d("noise", 0.1), a.l("seed", 0));
            case "spirals" -> Synthetic.spirals(a.i("n", DEFAULT_SAMPLES), a.i("arms", 3), a.d("noise", 0.05), a.l("seed", 0));
            case "sine" -> Synthetic.sineSequences(a.i("n", DEFAULT_SAMPLES), a.i("steps", 20), a.d("noise", 0.05), a.l("seed", 0));
            case "copy" -> Synthetic.copyTask(a.i("n", DEFAULT_SAMPLES), a.i("length", 8), a.i("vocab", 10), a.l("seed", 0));
            case "xor" -> Synthetic.xor(a.i("n", DEFAULT_SAMPLES), a.d("noise", 0.1), a.l("seed", 0));
            case "blobs" -> Synthetic.blobs(a.i("n", DEFAULT_SAMPLES), a.i("k", 3), a.i("dim", 2), a.d("spread", 0.5), a.l("seed", 0));
            case "markov" -> Synthetic.markov(a.i("n", DEFAULT_SAMPLES), a.i("length", 20), a.i("vocab", 50), a.l("seed", 0));
            case "reverse" -> Synthetic.reverse(a.i("n", DEFAULT_SAMPLES), a.i("length", 8), a.i("vocab", 32), a.l("seed", 0));
            case "gratings" -> Synthetic.gratings(a.i("n", DEFAULT_SAMPLES), a.i("k", 10), a.i("size", 16), a.d("noise", 0.3), a.l("seed", 0));
            case "fashion_mnist", "fashion-mnist" -> {
                String part = a.s("part", "train");
                FashionMnist.Part p = switch (part) {
                    case "train" -> FashionMnist.Part.TRAIN;
                    case "test" -> FashionMnist.Part.TEST;
                    default -> throw new TrainException("fashion_mnist: part must be \"train\" or \"test\", got \"" + part + "\"");
                };
                Dataset full = FashionMnist.load(dataDir, p);
                int n = a.i("n", full.size());
                yield n < full.size() ? full.slice(0, n) : full;
            }
            case "csv" -> {
                Csv.Options o = Csv.Options.defaults();
                String label = a.s("label", null);
                if (label != null) o = o.label(label);
                if (a.has("no_label") && a.b("no_label")) o = o.noLabel();
                yield Csv.read(resolve(baseDir, a.required("path")), o);
            }
            case "npy" -> {
                Column x = NpyFiles.readColumn(resolve(baseDir, a.required("x")), Dataset.FEATURES);
                String y = a.s("y", null);
                yield y == null ? Dataset.of("npy", x) : Dataset.of("npy", x, NpyFiles.readColumn(resolve(baseDir, y), Dataset.LABELS));
            }
            default -> throw new TrainException("unknown data set '" + name + "'; known sets are " + NAMES);
        };
        a.requireAllUsed();
        return d;
    }

    private static Path resolve(Path baseDir, String file) {
        Path p = Path.of(file);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    /** Typed access to the text arguments; remembers which were read so leftovers are reported. */
    private static final class Args {
        private final String set;
        private final Map<String, String> raw;
        private final Set<String> used = new HashSet<>();

        Args(String set, Map<String, String> raw) { this.set = set; this.raw = raw; }

        boolean has(String k) { return raw.containsKey(k); }

        String s(String k, String dflt) {
            used.add(k);
            String v = raw.get(k);
            if (v == null) return dflt;
            return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }

        String required(String k) {
            String v = s(k, null);
            if (v == null) throw new TrainException("data set '" + set + "' needs the argument " + k + "=...");
            return v;
        }

        long l(String k, long dflt) {
            String v = s(k, null);
            if (v == null) return dflt;
            try { return Long.parseLong(v.replace("_", "")); }
            catch (NumberFormatException e) { throw new TrainException("data set '" + set + "': " + k + " must be an integer, got " + v); }
        }

        int i(String k, int dflt) {
            long v = l(k, dflt);
            if (v < 0 || v > Integer.MAX_VALUE) throw new TrainException("data set '" + set + "': " + k + " must be a non-negative int, got " + v);
            return (int) v;
        }

        double d(String k, double dflt) {
            String v = s(k, null);
            if (v == null) return dflt;
            try { return Double.parseDouble(v.replace("_", "")); }
            catch (NumberFormatException e) { throw new TrainException("data set '" + set + "': " + k + " must be a number, got " + v); }
        }

        boolean b(String k) {
            String v = s(k, "false");
            if (!v.equals("true") && !v.equals("false")) throw new TrainException("data set '" + set + "': " + k + " must be true or false, got " + v);
            return v.equals("true");
        }

        void requireAllUsed() {
            for (String k : raw.keySet())
                if (!used.contains(k)) throw new TrainException("data set '" + set + "' has no argument '" + k + "'; it takes " + used);
        }
    }
}
