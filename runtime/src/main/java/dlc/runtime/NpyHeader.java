package dlc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The header of a .npy file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, read strictly, as NumPy's
 * own reader does: exactly the three keys, each once; {@code descr} a string, {@code fortran_order}
 * True or False, {@code shape} a tuple of non-negative ints (with an optional Python 2 {@code L}).
 * A structured dtype (a list as {@code descr}) is recognized so it can be refused by name.
 *
 * <p>The parser is a flat scan, not a recursive descent: the grammar above nests at most two levels
 * (the dict and one tuple), so a header of 60,000 {@code (} is one clear error, not a stack overflow.
 *
 * @param descr the dtype string ({@code <f4}); null for a structured dtype
 * @param fortranOrder whether the data is column-major
 * @param shape the array's dims, empty for a 0-d array
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** Parses a header dict; an IllegalArgumentException saying what is wrong and where. */
    static NpyHeader parse(String text) {
        return new Scanner(text).header();
    }

    /** The header dict NumPy writes for these fields, without padding. */
    static String format(String descr, int[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) s.append(',');
        s.append(')');
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
    }

    private static final class Scanner {
        private final String s;
        private int pos;

        Scanner(String s) { this.s = s; }

        NpyHeader header() {
            skipSpace();
            expect('{', "the header is not a dict");
            String descr = null;
            boolean structured = false;
            Boolean fortran = null;
            long[] shape = null;
            List<String> seen = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == '}') { pos++; break; }
                int keyAt = pos;
                String key = string("a key in quotes");
                if (seen.contains(key)) throw error(keyAt, "the key '" + key + "' is given twice");
                seen.add(key);
                skipSpace();
                expect(':', "expected ':' after '" + key + "'");
                skipSpace();
                switch (key) {
                    case "descr" -> {
                        if (peek() == '[') { skipStructured(); structured = true; }
                        else descr = string("'descr' to be a dtype string such as '<f4'");
                    }
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw error(keyAt, "unexpected key '" + key + "' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
                }
                skipSpace();
                char c = peek();
                if (c == ',') { pos++; continue; }
                if (c == '}') { pos++; break; }
                throw error(pos, "expected ',' or '}'");
            }
            skipSpace();
            if (pos != s.length()) throw error(pos, "unexpected text after the header dict");
            for (String k : new String[]{"descr", "fortran_order", "shape"})
                if (!seen.contains(k)) throw new IllegalArgumentException("the header has no '" + k + "' entry");
            return new NpyHeader(structured ? null : descr, fortran, shape);
        }

        /** {@code 'text'} or {@code "text"}; no escapes (NumPy's dtype strings have none). */
        private String string(String what) {
            char q = peek();
            if (q != '\'' && q != '"') throw error(pos, "expected " + what);
            int end = s.indexOf(q, pos + 1);
            if (end < 0) throw error(pos, "unterminated string");
            String v = s.substring(pos + 1, end);
            if (v.indexOf('\\') >= 0) throw error(pos, "escapes in strings are not supported");
            pos = end + 1;
            return v;
        }

        private boolean bool() {
            if (s.startsWith("True", pos)) { pos += 4; return true; }
            if (s.startsWith("False", pos)) { pos += 5; return false; }
            throw error(pos, "'fortran_order' is not True or False");
        }

        /** {@code (d0, d1, ...)}: non-negative ints, a trailing comma allowed, nothing nested. */
        private long[] tuple() {
            if (peek() != '(') throw error(pos, "'shape' is not a tuple of ints such as (2, 3)");
            pos++;
            List<Long> dims = new ArrayList<>();
            boolean trailingComma = false;
            while (true) {
                skipSpace();
                if (peek() == ')') { pos++; break; }
                dims.add(dim());
                trailingComma = false;
                skipSpace();
                char c = peek();
                if (c == ',') { pos++; trailingComma = true; continue; }
                if (c == ')') { pos++; break; }
                throw error(pos, "'shape' is not a tuple of ints such as (2, 3)");
            }
            if (dims.size() == 1 && !trailingComma)
                throw error(pos - 1, "'shape' (n) is a number, not a tuple; a 1-d shape is written (n,)");
            long[] out = new long[dims.size()];
            for (int i = 0; i < out.length; i++) out[i] = dims.get(i);
            return out;
        }

        private long dim() {
            int start = pos;
            if (peek() == '-') throw error(pos, "'shape' has a negative dim");
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            if (pos == start) throw error(pos, "'shape' is not a tuple of ints such as (2, 3)");
            String digits = s.substring(start, pos);
            if (pos < s.length() && s.charAt(pos) == 'L') pos++;
            if (digits.length() > 18) throw error(start, "dim " + digits + " is too large");
            return Long.parseLong(digits);
        }

        /** A structured dtype's list, skipped by bracket counting (no recursion) to be refused by name. */
        private void skipStructured() {
            int depth = 0;
            do {
                char c = peek();
                if (c == '[' || c == '(') depth++;
                else if (c == ']' || c == ')') depth--;
                else if (c == '\'' || c == '"') { string("a string"); continue; }
                pos++;
            } while (depth > 0);
        }

        private void expect(char c, String what) {
            if (pos >= s.length() || s.charAt(pos) != c) throw error(pos, what);
            pos++;
        }

        private char peek() {
            if (pos >= s.length()) throw error(pos, "the header ends early");
            return s.charAt(pos);
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) pos++;
        }

        private static IllegalArgumentException error(int at, String what) {
            return new IllegalArgumentException("malformed header at character " + at + ": " + what);
        }
    }
}
