package dlc.ir;

import java.util.*;

/**
 * An op's static attributes, an immutable map sorted by key. Allowed values and their text form:
 * {@code Long} ({@code 3}), {@code Double} ({@code 0.5}, {@code -inf}, {@code nan}; always with a
 * '.' or exponent), {@code Boolean}, {@code String} ({@code "quoted"}), {@link DType} ({@code f32}),
 * {@link Shape} ({@code <B, 784>}), {@code List<Long>} ({@code [0, 1]}) and {@code List<Double>}
 * ({@code [0.5, 1.0]}). The empty list is read as {@code List<Long>}.
 */
public final class Attrs {
    public static final Attrs EMPTY = new Attrs(new TreeMap<>());

    private final SortedMap<String, Object> map;

    private Attrs(SortedMap<String, Object> map) { this.map = Collections.unmodifiableSortedMap(map); }

    public static Attrs of(Object... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("Attrs.of needs key/value pairs");
        Attrs a = EMPTY;
        for (int i = 0; i < keyValues.length; i += 2) a = a.with((String) keyValues[i], keyValues[i + 1]);
        return a;
    }

    /** Returns a copy with key set; int/long arrays and lists of ints are normalized to List<Long>. */
    public Attrs with(String key, Object value) {
        SortedMap<String, Object> m = new TreeMap<>(map);
        m.put(key, normalize(key, value));
        return new Attrs(m);
    }

    private static Object normalize(String key, Object v) {
        if (v instanceof Integer i) return (long) i;
        if (v instanceof Float f) return (double) f;
        if (v instanceof long[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof int[] a) return Arrays.stream(a).mapToLong(x -> x).boxed().toList();
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof List<?> l) {
            if (l.isEmpty()) return List.<Long>of();
            if (l.stream().allMatch(x -> x instanceof Long || x instanceof Integer))
                return l.stream().map(x -> ((Number) x).longValue()).toList();
            if (l.stream().allMatch(x -> x instanceof Number))
                return l.stream().map(x -> ((Number) x).doubleValue()).toList();
            throw new IllegalArgumentException("attribute " + key + ": lists hold numbers only");
        }
        if (v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof String
                || v instanceof DType || v instanceof Shape) return v;
        throw new IllegalArgumentException("attribute " + key + ": unsupported value " + v);
    }

    /** Returns a copy without {@code key} (unchanged when absent). */
    public Attrs without(String key) {
        if (!map.containsKey(key)) return this;
        SortedMap<String, Object> m = new TreeMap<>(map);
        m.remove(key);
        return new Attrs(m);
    }

    public boolean has(String key) { return map.containsKey(key); }

    public Set<String> keys() { return map.keySet(); }

    public Object get(String key) { return map.get(key); }

    private Object need(String key) {
        Object v = map.get(key);
        if (v == null) throw new IllegalArgumentException("missing attribute '" + key + "'");
        return v;
    }

    public long getLong(String key) { return ((Number) need(key)).longValue(); }

    public long getLong(String key, long dflt) { return has(key) ? getLong(key) : dflt; }

    public double getDouble(String key) { return ((Number) need(key)).doubleValue(); }

    public double getDouble(String key, double dflt) { return has(key) ? getDouble(key) : dflt; }

    public boolean getBool(String key, boolean dflt) { return has(key) ? (Boolean) need(key) : dflt; }

    public String getString(String key) { return (String) need(key); }

    public DType getDType(String key) { return (DType) need(key); }

    public Shape getShape(String key) { return (Shape) need(key); }

    public long[] getLongs(String key) {
        return ((List<?>) need(key)).stream().mapToLong(x -> ((Number) x).longValue()).toArray();
    }

    public long[] getLongs(String key, long[] dflt) { return has(key) ? getLongs(key) : dflt; }

    public double[] getDoubles(String key) {
        return ((List<?>) need(key)).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    /** The text form of one value, as described in the class comment. */
    public static String format(Object v) {
        if (v instanceof Double d) return formatDouble(d);
        if (v instanceof String s) return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        if (v instanceof Shape s) return "<" + s.toString().substring(1, s.toString().length() - 1) + ">";
        if (v instanceof List<?> l) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (Object x : l) j.add(format(x));
            return j.toString();
        }
        return String.valueOf(v);
    }

    /** Shortest text that parses back to the same double, always marked as floating point. */
    public static String formatDouble(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        String s = Double.toString(d);
        return s.contains(".") || s.contains("E") ? s.replace("E", "e") : s + ".0";
    }

    @Override public boolean equals(Object o) { return o instanceof Attrs a && map.equals(a.map); }

    @Override public int hashCode() { return map.hashCode(); }

    /** {@code {axes=[1], keepdims=true}}, or the empty string when there are none. */
    @Override public String toString() {
        if (map.isEmpty()) return "";
        StringJoiner j = new StringJoiner(", ", "{", "}");
        map.forEach((k, v) -> j.add(k + "=" + format(v)));
        return j.toString();
    }
}
