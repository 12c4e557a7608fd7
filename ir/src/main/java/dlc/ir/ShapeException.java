package dlc.ir;

/** A type or shape rule was violated. The message names the shapes; the hint, if any, suggests a fix. */
public class ShapeException extends RuntimeException {
    private final String hint;

    public ShapeException(String message) { this(message, null); }

    public ShapeException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** A suggestion for the user, or null. */
    public String hint() { return hint; }
}
