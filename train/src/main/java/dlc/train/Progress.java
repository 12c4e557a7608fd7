package dlc.train;

import java.io.PrintWriter;

/**
 * A progress bar for one epoch with the running loss and samples per second. On a terminal it
 * redraws one line with carriage returns; otherwise (a log file, a pipe, a test) it prints a plain
 * line at most every few seconds and at the end of the epoch, so logs stay readable.
 */
public final class Progress {
    private static final int WIDTH = 24;
    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private String label = "";
    private int total;
    private long startNanos, lastPrintNanos;

    /** Progress on {@code out}; {@code terminal} chooses redrawn or plain lines. */
    public Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on stderr, redrawn when a console is attached. */
    public static Progress stderr() { return new Progress(new PrintWriter(System.err, true), System.console() != null); }

    /** Starts a new epoch of {@code total} batches. */
    public void start(String label, int total) {
        this.label = label;
        this.total = total;
        this.startNanos = System.nanoTime();
        this.lastPrintNanos = startNanos;
    }

    /** {@code done} batches of this epoch are finished, {@code samples} samples seen this epoch, mean loss so far {@code loss}. */
    public void update(int done, long samples, double loss) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (terminal) {
            out.print("\r" + line(done, samples, loss, now));
            if (last) out.println();
            out.flush();
        } else if (last || now - lastPrintNanos >= PLAIN_INTERVAL_NANOS) {
            out.println(line(done, samples, loss, now));
            out.flush();
            lastPrintNanos = now;
        }
    }

    /** A free-form line (validation results, early stopping). */
    public void message(String text) {
        out.println(text);
        out.flush();
    }

    String line(int done, long samples, double loss, long now) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        return String.format("%s [%s%s] %d/%d%s %.0f samples/s", label, "=".repeat(filled), " ".repeat(WIDTH - filled),
                done, total, Double.isNaN(loss) ? "" : String.format(" loss %.4f", loss), samples / seconds);
    }
}
