package dlc.cli;

/**
 * A mistake the user can fix (a missing file, an unknown model, a wrong input shape). The CLI
 * prints its message as one line, without a stack trace, and exits with {@link #exitCode()}.
 */
public final class UserError extends RuntimeException {
    /** Exit code for a command line that does not make sense (picocli's usage-error code). */
    public static final int USAGE = 2;
    /** Exit code for a well-formed command that failed on its input (program, files, shapes). */
    public static final int FAILED = 1;

    private final int exitCode;

    public UserError(String message) { this(message, FAILED); }

    public UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
