package dlc.ir.text;

/** A syntax or name error in IR text, at a 1-based line and column. */
public final class IrParseException extends RuntimeException {
    private final String source;
    private final int line;
    private final int col;
    private final String detail;

    public IrParseException(String source, int line, int col, String detail) {
        super((source == null ? "" : source + ":") + line + ":" + col + ": " + detail);
        this.source = source;
        this.line = line;
        this.col = col;
        this.detail = detail;
    }

    /** The name of the text that was parsed (a file name), or null. */
    public String source() { return source; }

    public int line() { return line; }

    public int col() { return col; }

    /** The message without the position. */
    public String detail() { return detail; }
}
