package dlc.runtime;

/**
 * Evaluates dim text as the IR prints it ({@code B}, {@code B*T + 4}, {@code 2*H - 1},
 * {@code (H + 1)/2}: integers, symbols, + - *, floor division / and parentheses) for a binding of
 * the symbols. Generated classes call it when a binding changes, never per step.
 */
public final class Dims {
    private final String s;
    private final String[] names;
    private final long[] values;
    private int i;

    private Dims(String s, String[] names, long[] values) {
        this.s = s;
        this.names = names;
        this.values = values;
    }

    /** The value of {@code text} with symbol {@code names[k]} bound to {@code values[k]}. */
    public static long eval(String text, String[] names, long[] values) {
        Dims p = new Dims(text, names, values);
        long v;
        try {
            v = p.sum();
        } catch (ArithmeticException e) { // from the exact + - * below
            throw new IllegalArgumentException("dim " + text + " overflows 64-bit integers under this binding");
        }
        p.skip();
        if (p.i != text.length()) throw new IllegalArgumentException("malformed dim '" + text + "' at " + p.i);
        return v;
    }

    /** {@link #eval} as an int; throws when the value does not fit (a tensor too large for a Java array). */
    public static int evalInt(String text, String[] names, long[] values) {
        long v = eval(text, names, values);
        if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("dim " + text + " = " + v + " is out of range for a Java array");
        return (int) v;
    }

    private long sum() {
        long v = product();
        while (true) {
            skip();
            if (peek('+')) { i++; v = Math.addExact(v, product()); }
            else if (peek('-')) { i++; v = Math.subtractExact(v, product()); }
            else return v;
        }
    }

    private long product() {
        long v = unary();
        while (true) {
            skip();
            if (peek('*')) { i++; v = Math.multiplyExact(v, unary()); }
            else if (peek('/')) {
                i++;
                long by = unary();
                if (by == 0) throw new IllegalArgumentException("dim '" + s + "' divides by zero under this binding");
                v = Math.floorDiv(v, by);
            }
            else return v;
        }
    }

    private long unary() {
        skip();
        if (peek('-')) { i++; return Math.negateExact(unary()); }
        if (peek('(')) {
            i++;
            long v = sum();
            skip();
            if (!peek(')')) throw new IllegalArgumentException("malformed dim '" + s + "': expected ')' at " + i);
            i++;
            return v;
        }
        int start = i;
        if (i < s.length() && Character.isDigit(s.charAt(i))) {
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            return Long.parseLong(s.substring(start, i));
        }
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
        String name = s.substring(start, i);
        if (name.isEmpty()) throw new IllegalArgumentException("malformed dim '" + s + "' at " + start);
        for (int k = 0; k < names.length; k++) if (names[k].equals(name)) return values[k];
        throw new IllegalArgumentException("dimension " + name + " is not bound");
    }

    private void skip() { while (i < s.length() && s.charAt(i) == ' ') i++; }

    private boolean peek(char c) { return i < s.length() && s.charAt(i) == c; }
}
