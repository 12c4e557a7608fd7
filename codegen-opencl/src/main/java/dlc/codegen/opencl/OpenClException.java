package dlc.codegen.opencl;

/**
 * Everything that goes wrong with OpenCL as the user sees it: no ICD loader, no platform, no such
 * device, a kernel that does not build, device memory that runs out, a failed OpenCL call. The
 * message is one line that says what happened and, where there is one, what to do about it; the
 * CLI prints it as it is and exits 1.
 */
public final class OpenClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpenClException(String message) { super(oneLine(message)); }

    public OpenClException(String message, Throwable cause) { super(oneLine(message), cause); }

    /** Messages quote driver output (build logs, library errors) that may span lines. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
