package dlc.ir;

/** Where an IR node came from in a .dl source, for diagnostics; line and column are 1-based. */
public record SourceLoc(String file, int line, int col) {
    public static final SourceLoc UNKNOWN = new SourceLoc("<unknown>", 0, 0);

    @Override public String toString() { return file + ":" + line + ":" + col; }
}
