package dlc.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a .npy file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. The parser accepts the
 * literal subset NumPy writes (strings in either quote, True/False, ints with an optional Python 2
 * {@code L}, tuples and lists) and reports anything else with the offending position.
 *
 * @param descr the dtype string ({@code <f4}); a structured dtype (a list) is kept as its text
 * @param fortranOrder whether the data is column-major
 * @param shape the array's dims, empty for a 0-d array
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** Parses a header dict; throws IllegalArgumentException with a message saying what is wrong. */
    static NpyHeader parse(String text) {
        Object v = new Reader(text).whole();
        if (!(v instanceof Map<?, ?> dict)) throw new IllegalArgumentException("header is not a dict: " + text.strip());
        Object descr = require(dict, "descr"), fortran = require(dict, "fortran_order"), shape = require(dict, "shape");
        if (!(fortran instanceof Boolean f)) throw new IllegalArgumentException("'fortran_order' is not True or False");
        if (!(shape instanceof List<?> dims) || dims.stream().anyMatch(d -> !(d instanceof Long)))
            throw new IllegalArgumentException("'shape' is not a tuple of ints");
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (Long) dims.get(i);
            if (s[i] < 0) throw new IllegalArgumentException("'shape' has a negative dim " + s[i]);
        }
        return new NpyHeader(descr instanceof String d ? d : String.valueOf(descr), f, s);
    }

    private static Object require(Map<?, ?> dict, String key) {
        Object v = dict.get(key);
        if (v == null) throw new IllegalArgumentException("header has no '" + key + "' entry");
        return v;
    }

    /** The header dict NumPy writes for these fields, without padding. */
    static String format(String descr, long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) s.append(',');
        s.append(')');
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
    }

    /** Recursive descent over the Python literal subset. */
    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) { this.s = s; }

        Object whole() {
            Object v = value();
            skipSpace();
            if (pos != s.length()) throw error("unexpected text after the header dict");
            return v;
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) throw error("header ends early");
            char c = s.charAt(pos);
            if (c == '{') return dict();
            if (c == '(') return sequence('(', ')');
            if (c == '[') return sequence('[', ']');
            if (c == '\'' || c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return integer();
            if (s.startsWith("True", pos)) { pos += 4; return Boolean.TRUE; }
            if (s.startsWith("False", pos)) { pos += 5; return Boolean.FALSE; }
            throw error("unexpected character '" + c + "'");
        }

        private Map<Object, Object> dict() {
            Map<Object, Object> m = new LinkedHashMap<>();
            pos++;
            while (true) {
                skipSpace();
                if (peek() == '}') { pos++; return m; }
                Object key = value();
                skipSpace();
                expect(':');
                m.put(key, value());
                if (!separator('}')) return m;
            }
        }

        private List<Object> sequence(char open, char close) {
            List<Object> items = new ArrayList<>();
            pos++;
            while (true) {
                skipSpace();
                if (peek() == close) { pos++; return items; }
                items.add(value());
                if (!separator(close)) return items;
            }
        }

        /** After an item: a comma continues (returns true), the closer ends (consumed, returns false). */
        private boolean separator(char close) {
            skipSpace();
            char c = peek();
            if (c == ',') { pos++; return true; }
            if (c == close) { pos++; return false; }
            throw error("expected ',' or '" + close + "'");
        }

        private String string() {
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0) throw error("unterminated string");
            String v = s.substring(pos, end);
            pos = end + 1;
            return v;
        }

        private Long integer() {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            String digits = s.substring(start, pos);
            if (pos < s.length() && s.charAt(pos) == 'L') pos++;
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("bad integer '" + digits + "'");
            }
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        private char peek() {
            if (pos >= s.length()) throw error("header ends early");
            return s.charAt(pos);
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("malformed header at character " + pos + ": " + what);
        }
    }
}
