package dlc.ir;

/**
 * Element types. The reference interpreter holds every dtype in float64; the JVM backend stores
 * f32 as float and every other dtype as double. Integer dtypes wrap as two's complement
 * ({@link dlc.numerics.Ints}); i64 is exact within +-2^53 because it is held in a double.
 */
public enum DType {
    F16("f16", true), F32("f32", true), F64("f64", true),
    I8("i8", false), U8("u8", false), I32("i32", false), I64("i64", false), BOOL("bool", false);

    private final String text;
    private final boolean floating;

    DType(String text, boolean floating) {
        this.text = text;
        this.floating = floating;
    }

    /** The spelling used in .dl sources and in the text IR. */
    public String text() { return text; }

    public boolean isFloating() { return floating; }

    public boolean isInteger() { return this == I8 || this == U8 || this == I32 || this == I64; }

    /** The {@code kind} argument of {@link dlc.numerics.Ints} for an integer dtype. */
    public int intKind() {
        return switch (this) {
            case I8 -> dlc.numerics.Ints.I8;
            case U8 -> dlc.numerics.Ints.U8;
            case I32 -> dlc.numerics.Ints.I32;
            case I64 -> dlc.numerics.Ints.I64;
            default -> throw new IllegalArgumentException(this + " is not an integer dtype");
        };
    }

    /** Parses "f32", "i64", ...; returns null for an unknown name so callers can report it with a location. */
    public static DType fromText(String s) {
        for (DType d : values()) if (d.text.equals(s)) return d;
        return null;
    }

    @Override public String toString() { return text; }
}
