package dlc.ir.text;

/**
 * Spelling of names in the IR text form. A plain name is {@code [A-Za-z_][A-Za-z0-9_.]*}, so
 * parameter paths such as {@code encoder.dense_1.w} print as they are; any other name that must
 * survive exactly (graph input and output names, graph and module names) prints as a quoted
 * string. Value name hints that are not plain are sanitized instead, since they carry no meaning.
 */
final class Names {
    private Names() {}

    static boolean isPlain(String s) {
        if (s == null || s.isEmpty() || !isStart(s.charAt(0))) return false;
        for (int i = 1; i < s.length(); i++) if (!isPart(s.charAt(i))) return false;
        return true;
    }

    static boolean isStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

    static boolean isPart(char c) { return isStart(c) || (c >= '0' && c <= '9') || c == '.'; }

    /** The name as written: plain, or quoted with {@code \} and {@code "} escaped. */
    static String spell(String s) { return isPlain(s) ? s : quote(s); }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A plain name for a value name hint: invalid characters become '_' and a leading digit or
     * '.' gets a '_' prefix; null when there is no usable hint. Idempotent, so a name printed
     * once prints the same after a round trip.
     */
    static String sanitize(String hint) {
        if (hint == null || hint.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hint.length(); i++) sb.append(isPart(hint.charAt(i)) ? hint.charAt(i) : '_');
        if (!isStart(sb.charAt(0))) sb.insert(0, '_');
        return sb.toString();
    }
}
