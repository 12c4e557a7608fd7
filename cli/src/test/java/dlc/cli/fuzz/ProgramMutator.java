package dlc.cli.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutates .dl source text at the token level: deletes, duplicates and swaps tokens, replaces
 * numbers with extreme values and names with other names or keywords, drops lines and truncates.
 * Whitespace and comments are tokens too, so joining the tokens gives the text back; mutations
 * pick among the other tokens.
 */
final class ProgramMutator {
    private static final Pattern TOKEN = Pattern.compile(
            "\\s+|#[^\\n]*|\"(?:\\\\.|[^\"\\\\])*\"|\\d+\\.\\d*(?:[eE][+-]?\\d+)?|\\d+(?:[eE][+-]?\\d+)?|[A-Za-z_][A-Za-z0-9_]*"
                    + "|<-|->|\\*\\*|[<>=!]=|\\+=|-=|\\.\\.\\.|.", Pattern.DOTALL);

    /** Sizes and values at the edges: zero, one, the int and long limits, sizes whose products pass 2^31, floats at the ends. */
    static final List<String> EXTREME_NUMBERS = List.of("0", "1", "-1", "2", "3", "7", "2147483647", "2147483648", "1073741824",
            "46341", "3000000000", "9223372036854775807", "99999999999999999999", "1e308", "1e-320", "0.0", "-0.0", "65536", "100000");

    private static final List<String> KEYWORDS = List.of("model", "def", "param", "input", "output", "loss", "state", "scan", "fn",
            "if", "else", "return", "import", "const", "train", "none", "true", "false", "and", "or", "not", "inf", "f32", "i32", "bool",
            "int", "float", "B", "T", "x", "_");

    private static final List<String> PUNCTUATION = List.of("(", ")", "[", "]", "{", "}", ",", ":", "=", "+", "-", "*", "/", "%",
            "@", ".", "<-", "->", "...", "**", "==", "<", "\n");

    /** The text's tokens, whitespace and comments included; their concatenation is the text. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    static boolean significant(String token) { return !token.isBlank() && !token.startsWith("#"); }

    /** One to three mutations of text. */
    static String mutate(String text, Random r) {
        List<String> t = tokens(text);
        int n = r.nextInt(10) < 6 ? 1 : r.nextInt(4) < 3 ? 2 : 3; // mostly one: more mutants get past the parser
        for (int i = 0; i < n; i++) mutateOnce(t, r);
        return String.join("", t);
    }

    private static void mutateOnce(List<String> t, Random r) {
        List<Integer> sig = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) if (significant(t.get(i))) sig.add(i);
        if (sig.isEmpty()) return;
        int at = sig.get(r.nextInt(sig.size()));
        String tok = t.get(at);
        switch (r.nextInt(12)) {
            case 0 -> t.remove(at);
            case 1 -> t.add(at, tok + " ");
            case 2 -> { // swap with the next significant token
                int k = sig.indexOf(at);
                if (k + 1 < sig.size()) {
                    int other = sig.get(k + 1);
                    t.set(at, t.get(other));
                    t.set(other, tok);
                }
            }
            case 3, 4, 10, 11 -> { // a number: an extreme value (else any token becomes one)
                List<Integer> numbers = new ArrayList<>();
                for (int i : sig) if (Character.isDigit(t.get(i).charAt(0))) numbers.add(i);
                int where = numbers.isEmpty() ? at : numbers.get(r.nextInt(numbers.size()));
                t.set(where, EXTREME_NUMBERS.get(r.nextInt(EXTREME_NUMBERS.size())));
            }
            case 5, 6 -> { // a name: another name of the text, or a keyword
                List<Integer> names = new ArrayList<>();
                for (int i : sig) if (Character.isLetter(t.get(i).charAt(0)) || t.get(i).charAt(0) == '_') names.add(i);
                if (names.isEmpty()) return;
                int where = names.get(r.nextInt(names.size()));
                String with = r.nextBoolean() ? KEYWORDS.get(r.nextInt(KEYWORDS.size())) : t.get(names.get(r.nextInt(names.size())));
                t.set(where, with);
            }
            case 7 -> t.set(at, PUNCTUATION.get(r.nextInt(PUNCTUATION.size())));
            case 8 -> { // drop the line holding the token
                int from = at, to = at;
                while (from > 0 && !t.get(from - 1).contains("\n")) from--;
                while (to < t.size() - 1 && !t.get(to + 1).contains("\n")) to++;
                t.subList(from, to + 1).clear();
            }
            default -> t.subList(at, t.size()).clear(); // truncation
        }
    }

    private ProgramMutator() {}
}
