package dlc.train;

import dlc.data.Column;
import dlc.data.Csv;
import dlc.data.Dataset;
import dlc.data.FashionMnist;
import dlc.data.NpyFiles;
import dlc.data.Synthetic;
import dlc.frontend.train.TrainPlan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the data set a training plan names: the built-in synthetic sets, Fashion-MNIST, CSV and
 * {@code .npy} files. Arguments arrive by name as the values the train block wrote (from
 * {@code data moons(n=512, noise=0.1)} or a test: Long, Double, Boolean, String); an argument of
 * the wrong kind or an unknown one is an error, not ignored.
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
    public static Dataset load(TrainPlan.DataSet set, Path baseDir, Path dataDir) throws IOException {
        return load(set.name(), set.args(), baseDir, dataDir);
    }

    /** As above, for data set {@code name} with {@code args} by name (integers as Long, numbers as Long or Double). */
    public static Dataset load(String name, Map<String, ?> args, Path baseDir, Path dataDir) throws IOException {
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

    /** Typed access to the arguments; remembers which were read so leftovers are reported. */
    private static final class Args {
        private final String set;
        private final Map<String, ?> raw;
        private final Set<String> used = new HashSet<>();

        Args(String set, Map<String, ?> raw) { this.set = set; this.raw = raw; }

        boolean has(String k) { return raw.containsKey(k); }

        private Object get(String k) {
            used.add(k);
            return raw.get(k);
        }

        String s(String k, String dflt) {
            Object v = get(k);
            if (v == null) return dflt;
            if (!(v instanceof String str)) throw wrong(k, "a string", v);
            return str;
        }

        String required(String k) {
            String v = s(k, null);
            if (v == null) throw new TrainException("data set '" + set + "' needs the argument " + k + "=...");
            return v;
        }

        long l(String k, long dflt) {
            Object v = get(k);
            if (v == null) return dflt;
            if (!(v instanceof Long || v instanceof Integer)) throw wrong(k, "an integer", v);
            return ((Number) v).longValue();
        }

        int i(String k, int dflt) {
            long v = l(k, dflt);
            if (v < 0 || v > Integer.MAX_VALUE) throw new TrainException("data set '" + set + "': " + k + " must be a non-negative int, got " + v);
            return (int) v;
        }

        double d(String k, double dflt) {
            Object v = get(k);
            if (v == null) return dflt;
            if (!(v instanceof Number n)) throw wrong(k, "a number", v);
            return n.doubleValue();
        }

        boolean b(String k) {
            Object v = get(k);
            if (v == null) return false;
            if (!(v instanceof Boolean bool)) throw wrong(k, "true or false", v);
            return bool;
        }

        private TrainException wrong(String k, String what, Object v) {
            String shown = v instanceof String str ? "\"" + str + "\"" : String.valueOf(v);
            return new TrainException("data set '" + set + "': " + k + " must be " + what + ", got " + shown);
        }

        void requireAllUsed() {
            for (String k : raw.keySet())
                if (!used.contains(k)) throw new TrainException("data set '" + set + "' has no argument '" + k + "'; it takes " + used);
        }
    }
}
