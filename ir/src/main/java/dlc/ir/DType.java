package dlc.ir;

/** Element types. The reference interpreter computes every dtype in float64; backends use the real width. */
public enum DType {
    F16("f16", true), F32("f32", true), F64("f64", true),
    I32("i32", false), I64("i64", false), BOOL("bool", false);

    private final String text;
    private final boolean floating;

    DType(String text, boolean floating) {
        this.text = text;
        this.floating = floating;
    }

    /** The spelling used in .dl sources and in the text IR. */
    public String text() { return text; }

    public boolean isFloating() { return floating; }

    public boolean isInteger() { return this == I32 || this == I64; }

    /** Parses "f32", "i64", ...; returns null for an unknown name so callers can report it with a location. */
    public static DType fromText(String s) {
        for (DType d : values()) if (d.text.equals(s)) return d;
        return null;
    }

    @Override public String toString() { return text; }
}
