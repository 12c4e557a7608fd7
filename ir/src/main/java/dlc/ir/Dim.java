package dlc.ir;

import java.util.*;

/**
 * One dimension of a shape: an integer, a symbol ({@code B}, {@code T}) or integer arithmetic over
 * symbols ({@code B*T}, {@code 4*H}, {@code T-1}). Kept in a canonical polynomial form (a sum of
 * integer-weighted products of atoms) so that equal expressions compare equal: {@code T*B == B*T},
 * {@code H+H == 2*H}. A floor division that is not exact becomes an opaque atom such as
 * {@code (H+1)/2}; it is still canonical because its operand is.
 */
public final class Dim implements Comparable<Dim> {
    /** Monomial: sorted atom names (with repetition) -> coefficient. The empty monomial is the constant. */
    private final SortedMap<List<String>, Long> terms;

    private static final Comparator<List<String>> MONO_ORDER = (a, b) -> {
        if (a.size() != b.size()) return Integer.compare(b.size(), a.size()); // higher degree first
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) return c;
        }
        return 0;
    };

    private Dim(SortedMap<List<String>, Long> terms) {
        this.terms = Collections.unmodifiableSortedMap(terms);
    }

    private static SortedMap<List<String>, Long> empty() { return new TreeMap<>(MONO_ORDER); }

    public static Dim of(long v) {
        SortedMap<List<String>, Long> t = empty();
        if (v != 0) t.put(List.of(), v);
        return new Dim(t);
    }

    public static Dim sym(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("empty dim symbol");
        SortedMap<List<String>, Long> t = empty();
        t.put(List.of(name), 1L);
        return new Dim(t);
    }

    public boolean isConst() { return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(List.of())); }

    /** The integer value; throws if the dim is symbolic. */
    public long value() {
        if (!isConst()) throw new IllegalStateException("dim " + this + " is symbolic");
        return terms.getOrDefault(List.of(), 0L);
    }

    /** Symbols this dim depends on (opaque atoms contribute their own symbols). */
    public Set<String> symbols() {
        Set<String> out = new TreeSet<>();
        for (List<String> m : terms.keySet()) for (String a : m) {
            if (isAtomSymbol(a)) out.add(a);
            else for (String part : splitAtom(a)) out.addAll(parse(part).symbols());
        }
        return out;
    }

    private static boolean isAtomSymbol(String a) { return !a.startsWith("("); }

    public Dim plus(Dim o) {
        SortedMap<List<String>, Long> t = empty();
        t.putAll(terms);
        for (var e : o.terms.entrySet()) t.merge(e.getKey(), e.getValue(), (a, b) -> exact(() -> Math.addExact(a, b), this, "+", o));
        t.values().removeIf(v -> v == 0);
        return new Dim(t);
    }

    public Dim plus(long c) { return plus(of(c)); }

    public Dim negate() { return times(of(-1)); }

    public Dim minus(Dim o) { return plus(o.negate()); }

    public Dim minus(long c) { return plus(of(-c)); }

    public Dim times(Dim o) {
        SortedMap<List<String>, Long> t = empty();
        for (var a : terms.entrySet())
            for (var b : o.terms.entrySet()) {
                List<String> m = new ArrayList<>(a.getKey());
                m.addAll(b.getKey());
                Collections.sort(m);
                long c = exact(() -> Math.multiplyExact(a.getValue(), b.getValue()), this, "*", o);
                t.merge(List.copyOf(m), c, (x, y) -> exact(() -> Math.addExact(x, y), this, "*", o));
            }
        t.values().removeIf(v -> v == 0);
        return new Dim(t);
    }

    public Dim times(long c) { return times(of(c)); }

    /**
     * Dim arithmetic is exact: a coefficient or value beyond a 64-bit integer is an
     * ArithmeticException that names the operation (the front end reports it at the source).
     */
    private static long exact(java.util.function.LongSupplier f, Object left, String op, Object right) {
        try {
            return f.getAsLong();
        } catch (ArithmeticException overflow) {
            throw new ArithmeticException("the dim " + left + " " + op + " " + right + " is beyond a 64-bit integer");
        }
    }

    /**
     * Floor division. Exact when both are constants, when every term of this dim is divisible by
     * the constant divisor, or when the divisor is a single monomial dividing every term
     * ({@code (B*T)/T == B}); otherwise an opaque atom.
     */
    public Dim floorDiv(Dim d) {
        if (d.isConst()) {
            long k = d.value();
            if (k == 0) throw new ArithmeticException("division of dim " + this + " by zero");
            if (k == -1) return negate(); // exact, where Long.MIN_VALUE / -1 would wrap
            if (isConst()) return of(Math.floorDiv(value(), k));
            if (k == 1) return this;
            boolean exact = terms.values().stream().allMatch(c -> c % k == 0);
            if (exact) {
                SortedMap<List<String>, Long> t = empty();
                terms.forEach((m, c) -> t.put(m, c / k));
                return new Dim(t);
            }
        } else if (d.terms.size() == 1) {
            var dm = d.terms.entrySet().iterator().next();
            SortedMap<List<String>, Long> t = empty();
            boolean ok = true;
            for (var e : terms.entrySet()) {
                List<String> rest = new ArrayList<>(e.getKey());
                for (String a : dm.getKey()) if (!rest.remove(a)) { ok = false; break; }
                if (!ok || e.getValue() % dm.getValue() != 0) { ok = false; break; }
                t.put(List.copyOf(rest), e.getValue() / dm.getValue());
            }
            if (ok) return new Dim(t);
        }
        SortedMap<List<String>, Long> t = empty();
        t.put(List.of("(" + this + ")/(" + d + ")"), 1L);
        return new Dim(t);
    }

    /** An opaque atom {@code (num)/(den)} split into its two operand texts. */
    private static String[] splitAtom(String a) {
        int depth = 0;
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c == '(') depth++;
            else if (c == ')' && --depth == 0)
                return new String[]{a.substring(1, i), a.substring(i + 3, a.length() - 1)};
        }
        throw new IllegalStateException("malformed dim atom " + a);
    }

    /**
     * Evaluates with every symbol bound; throws naming the first unbound symbol. Exact: a value
     * beyond a 64-bit integer or a division by zero is an ArithmeticException naming the dim.
     */
    public long eval(Map<String, Long> env) {
        long sum = 0;
        try {
            for (var e : terms.entrySet()) {
                long p = e.getValue();
                for (String a : e.getKey()) p = Math.multiplyExact(p, atomValue(a, env));
                sum = Math.addExact(sum, p);
            }
        } catch (ArithmeticException overflow) {
            if (overflow.getMessage() != null && overflow.getMessage().startsWith("the dim ")) throw overflow;
            throw new ArithmeticException("the dim " + this + " is beyond a 64-bit integer");
        }
        return sum;
    }

    private static long atomValue(String a, Map<String, Long> env) {
        if (isAtomSymbol(a)) {
            Long v = env.get(a);
            if (v == null) throw new IllegalArgumentException("dimension " + a + " is not bound");
            return v;
        }
        String[] nd = splitAtom(a);
        long den = parse(nd[1]).eval(env);
        if (den == 0) throw new ArithmeticException("the dim " + a + " divides by zero (" + nd[1] + " = 0)");
        return Math.floorDiv(parse(nd[0]).eval(env), den);
    }

    /** Replaces bound symbols by their values and re-canonicalizes; unbound symbols stay. */
    public Dim substitute(Map<String, Dim> env) {
        Dim out = of(0);
        for (var e : terms.entrySet()) {
            Dim p = of(e.getValue());
            for (String a : e.getKey()) {
                if (isAtomSymbol(a)) p = p.times(env.getOrDefault(a, sym(a)));
                else {
                    String[] nd = splitAtom(a);
                    p = p.times(parse(nd[0]).substitute(env).floorDiv(parse(nd[1]).substitute(env)));
                }
            }
            out = out.plus(p);
        }
        return out;
    }

    @Override public boolean equals(Object o) { return o instanceof Dim d && terms.equals(d.terms); }

    @Override public int hashCode() { return terms.hashCode(); }

    @Override public int compareTo(Dim o) { return toString().compareTo(o.toString()); }

    /** Text that {@link #parse} reads back to an equal dim, e.g. {@code B*T + 4}, {@code 2*H - 1}. */
    @Override public String toString() {
        if (terms.isEmpty()) return "0";
        StringBuilder sb = new StringBuilder();
        for (var e : terms.entrySet()) {
            long c = e.getValue();
            List<String> m = e.getKey();
            if (sb.length() == 0) { if (c < 0) sb.append('-'); }
            else sb.append(c < 0 ? " - " : " + ");
            long a = Math.abs(c);
            if (m.isEmpty()) { sb.append(a); continue; }
            if (a != 1) sb.append(a).append('*');
            StringJoiner j = new StringJoiner("*");
            for (String atom : m) j.add(isAtomSymbol(atom) ? atom : "(" + atom + ")");
            sb.append(j);
        }
        return sb.toString();
    }

    /** Parses dim text: integers, symbols, + - * / (floor) and parentheses. */
    public static Dim parse(String text) {
        return new DimParser(text).parseAll();
    }

    private static final class DimParser {
        private final String s;
        private int i;

        DimParser(String s) { this.s = s; }

        Dim parseAll() {
            Dim d = sum();
            skip();
            if (i != s.length()) throw error("unexpected '" + s.charAt(i) + "'");
            return d;
        }

        private Dim sum() {
            Dim d = product();
            while (true) {
                skip();
                if (peek('+')) { i++; d = d.plus(product()); }
                else if (peek('-')) { i++; d = d.minus(product()); }
                else return d;
            }
        }

        private Dim product() {
            Dim d = unary();
            while (true) {
                skip();
                if (peek('*')) { i++; d = d.times(unary()); }
                else if (peek('/')) { i++; d = d.floorDiv(unary()); }
                else return d;
            }
        }

        private Dim unary() {
            skip();
            if (peek('-')) { i++; return unary().negate(); }
            if (peek('(')) {
                i++;
                Dim d = sum();
                skip();
                if (!peek(')')) throw error("expected ')'");
                i++;
                return d;
            }
            int st = i;
            if (i < s.length() && Character.isDigit(s.charAt(i))) {
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                return of(Long.parseLong(s.substring(st, i)));
            }
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            if (st == i) throw error("expected a number or a symbol");
            return sym(s.substring(st, i));
        }

        private boolean peek(char c) { return i < s.length() && s.charAt(i) == c; }

        private void skip() { while (i < s.length() && s.charAt(i) == ' ') i++; }

        private IllegalArgumentException error(String m) {
            return new IllegalArgumentException("bad dim '" + s + "' at " + i + ": " + m);
        }
    }
}
