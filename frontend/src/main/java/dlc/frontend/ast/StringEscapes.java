package dlc.frontend.ast;

/**
 * The escapes of .dl string literals: {@code \n \t \r \0 \\ \"}; a backslash before any other
 * character stands for that character. {@link #quote} and {@link #unquote} are inverse.
 */
public final class StringEscapes {
    private StringEscapes() {}

    /** The value of a literal as written, quotes included; a missing closing quote is tolerated. */
    public static String unquote(String literal) {
        int end = literal.length() > 1 && literal.endsWith("\"") && !escapedAt(literal, literal.length() - 1) ? literal.length() - 1 : literal.length();
        StringBuilder sb = new StringBuilder();
        for (int i = literal.startsWith("\"") ? 1 : 0; i < end; i++) {
            char c = literal.charAt(i);
            if (c != '\\' || i + 1 >= end) {
                sb.append(c);
                continue;
            }
            char e = literal.charAt(++i);
            sb.append(switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case '0' -> '\0';
                default -> e;
            });
        }
        return sb.toString();
    }

    /** A literal, with quotes, whose {@link #unquote} is {@code value}. */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\0' -> sb.append("\\0");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** Whether the character at {@code i} is preceded by an odd number of backslashes. */
    private static boolean escapedAt(String s, int i) {
        int n = 0;
        for (int j = i - 1; j >= 0 && s.charAt(j) == '\\'; j--) n++;
        return n % 2 == 1;
    }
}
