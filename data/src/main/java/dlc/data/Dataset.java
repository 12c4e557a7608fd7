package dlc.data;

import dlc.ir.eval.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data set: named {@link Column}s that all hold the same number of samples N. By convention
 * {@value #FEATURES} holds the inputs and {@value #LABELS} the labels (i32 class indices, shape [N]) or
 * regression targets (f32); other columns (e.g. a loss mask) may follow. A classification set knows its
 * class count and, where the source has them, the class names.
 */
public final class Dataset {
    public static final String FEATURES = "x";
    public static final String LABELS = "y";

    private final String name;
    private final Map<String, Column> columns;
    private final int size;
    private final List<String> classNames;
    private final int numClasses;

    private Dataset(String name, Map<String, Column> columns, int numClasses, List<String> classNames) {
        if (columns.isEmpty()) throw new IllegalArgumentException("data set '" + name + "' has no columns");
        int n = -1;
        for (Column c : columns.values()) {
            if (n >= 0 && c.size() != n)
                throw new IllegalArgumentException("data set '" + name + "': column '" + c.name() + "' has " + c.size()
                        + " samples, others have " + n);
            n = c.size();
        }
        if (!classNames.isEmpty() && classNames.size() != numClasses)
            throw new IllegalArgumentException("data set '" + name + "': " + classNames.size() + " class names for " + numClasses + " classes");
        this.name = name;
        this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        this.size = n;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
    }

    /** A data set of the given columns (in order); all must have the same number of samples. */
    public static Dataset of(String name, Column... columns) {
        Map<String, Column> m = new LinkedHashMap<>();
        for (Column c : columns)
            if (m.put(c.name(), c) != null) throw new IllegalArgumentException("data set '" + name + "': two columns named '" + c.name() + "'");
        return new Dataset(name, m, 0, List.of());
    }

    /** A classification set: features {@code x} and i32 labels {@code y} of shape [N] in [0, numClasses). */
    public static Dataset classification(String name, Column x, Column y, int numClasses) {
        return of(name, x.renamed(FEATURES), y.renamed(LABELS)).withClasses(numClasses, List.of());
    }

    /** The same data declared as classification over {@code numClasses} classes (names optional: empty list). */
    public Dataset withClasses(int numClasses, List<String> names) {
        Column y = column(LABELS);
        if (y.isFloat() || y.sampleSize() != 1)
            throw new IllegalArgumentException("data set '" + name + "': class labels must be i32 with one value per sample, got " + y);
        if (numClasses <= 0) throw new IllegalArgumentException("data set '" + name + "': class count must be positive, got " + numClasses);
        int[] v = y.ints();
        for (int i = 0; i < v.length; i++)
            if (v[i] < 0 || v[i] >= numClasses)
                throw new IllegalArgumentException("data set '" + name + "': label " + v[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
        return new Dataset(name, columns, numClasses, names);
    }

    public String name() { return name; }

    /** Number of samples N. */
    public int size() { return size; }

    /** Column names in order. */
    public List<String> columnNames() { return new ArrayList<>(columns.keySet()); }

    public boolean has(String column) { return columns.containsKey(column); }

    /** The column called {@code column}; an error naming the available columns when there is none. */
    public Column column(String column) {
        Column c = columns.get(column);
        if (c == null) throw new IllegalArgumentException("data set '" + name + "' has no column '" + column + "'; it has " + columns.keySet());
        return c;
    }

    /** Every column as an interpreter tensor {@code [N, ...]}, by name in column order (for feeding a batch). */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Column c : columns.values()) m.put(c.name(), c.toTensor());
        return m;
    }

    /** The {@value #FEATURES} column. */
    public Column features() { return column(FEATURES); }

    /** The {@value #LABELS} column. */
    public Column labels() { return column(LABELS); }

    /** Number of classes for a classification set, 0 otherwise. */
    public int numClasses() { return numClasses; }

    public boolean isClassification() { return numClasses > 0; }

    /** Class names where the source has them (CSV string labels, Fashion-MNIST), else empty. */
    public List<String> classNames() { return classNames; }

    /** The same set with {@code c} added, or replacing the column of the same name. */
    public Dataset with(Column c) {
        Map<String, Column> m = new LinkedHashMap<>(columns);
        m.put(c.name(), c);
        return new Dataset(name, m, c.name().equals(LABELS) ? 0 : numClasses, c.name().equals(LABELS) ? List.of() : classNames);
    }

    /** The samples at {@code rows}, in that order, from every column. */
    public Dataset subset(int[] rows) {
        Map<String, Column> m = new LinkedHashMap<>();
        for (Column c : columns.values()) m.put(c.name(), c.gather(rows));
        return new Dataset(name, m, numClasses, classNames);
    }

    /** Samples {@code [from, to)} of every column. */
    public Dataset slice(int from, int to) {
        Map<String, Column> m = new LinkedHashMap<>();
        for (Column c : columns.values()) m.put(c.name(), c.slice(from, to));
        return new Dataset(name, m, numClasses, classNames);
    }

    /** A train/validation pair. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * Splits off {@code round(validationFraction * N)} samples for validation, chosen by a permutation
     * seeded with {@code seed} (the same seed gives the same split). Both parts keep the original
     * relative order of their samples.
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        int nVal = (int) Math.round(validationFraction * size);
        int[] perm = Batches.permutation(size, seed, -1);
        boolean[] isVal = new boolean[size];
        for (int i = 0; i < nVal; i++) isVal[perm[i]] = true;
        int[] train = new int[size - nVal], val = new int[nVal];
        int t = 0, v = 0;
        for (int i = 0; i < size; i++) if (isVal[i]) val[v++] = i; else train[t++] = i;
        return new Split(subset(train), subset(val));
    }

    @Override public String toString() {
        return name + " (" + size + " samples" + (numClasses > 0 ? ", " + numClasses + " classes" : "") + "): " + columns.values();
    }
}
