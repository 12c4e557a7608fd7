package dlc.cli;

import dlc.ir.ShapeException;
import dlc.ir.eval.Interpreter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/**
 * The {@code dlc} command: subcommands check, ir, run, train, eval, compile, gradcheck, stats, export, import and devices. User mistakes
 * print one line to stderr (exit 2 for a command line that makes no sense, 1 for input that
 * fails); a stack trace appears only with {@code --debug}.
 */
@Command(name = "dlc", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A compiler for neural-network models written in the .dl language.",
        subcommands = {CheckCommand.class, IrCommand.class, RunCommand.class, TrainCommand.class, EvalCommand.class, CompileCommand.class,
                GradcheckCommand.class, StatsCommand.class, ExportCommand.class, ImportCommand.class, DevicesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show the stack trace of an internal error.")
    boolean debug;

    @Spec CommandSpec spec;

    private final Toolchain toolchain;

    public Main(Toolchain toolchain) { this.toolchain = toolchain; }

    /** The compiler stages the subcommands use. */
    Toolchain toolchain() { return toolchain; }

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: one of check, ir, run");
    }

    public static void main(String[] args) {
        System.exit(commandLine(Toolchain.standard()).execute(args));
    }

    /** A ready-to-execute command line with dlc's error handling; tests pass their own toolchain and writers. */
    public static CommandLine commandLine(Toolchain toolchain) {
        CommandLine cl = new CommandLine(new Main(toolchain));
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (VirtualMachineError | LinkageError | AssertionError e) {
                return handleError(e, cl, parsed);
            }
        });
        return cl;
    }

    /** How the user gives the JVM options (heap, stack) through the ./dlc launcher. */
    static final String JAVA_OPTS = "DLC_JAVA_OPTS";

    /**
     * An Error while a command ran, in one line. Running out of heap or stack is the input's size
     * (exit 1, with what to change); any other Error is a bug (exit 70).
     */
    private static int handleError(Error e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = debugRequested(parsed);
        if (debug) e.printStackTrace(err);
        int code = UserError.FAILED;
        if (e instanceof OutOfMemoryError oom) {
            // ModelRunner words the message with what the tensors take ("graph eval: its tensors hold ...")
            String what = String.valueOf(oom.getMessage());
            err.println("dlc: out of memory " + (what.startsWith("graph ") ? "running " + what : "(" + what + ")")
                    + "; the JVM's heap limit is " + gib(Runtime.getRuntime().maxMemory())
                    + ": give the JVM more (" + JAVA_OPTS + "=-Xmx16g) or use smaller sizes (--batch, --dim)");
        } else if (e instanceof StackOverflowError) {
            err.println("dlc: stack overflow: the input nests or recurses too deeply (a def that calls itself without end?);"
                    + " if it is right, give the JVM a larger stack (" + JAVA_OPTS + "=-Xss64m)");
        } else {
            err.println("dlc: internal error: " + e + (debug ? "" : " (run with --debug to see the stack trace)"));
            code = 70;
        }
        err.flush();
        return code;
    }

    /** Bytes as GiB with one decimal: 6442450944 -> "6.0 GiB". */
    static String gib(long bytes) { return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30)); }

    /** A command line that cannot be understood: one line naming the problem and where help is. */
    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        // picocli words a bad map entry "Value for option option '--input' ..."; say it once
        String message = String.valueOf(ex.getMessage()).replace("option option ", "option ");
        err.println(name + ": " + message + " (see '" + name + " --help')");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A failure while a command ran: user errors as one line, anything else as an internal error. */
    private static int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = debugRequested(parsed);
        if (debug) ex.printStackTrace(err);
        int code = UserError.FAILED;
        if (ex instanceof UserError u) {
            err.println("dlc: " + u.getMessage());
            code = u.exitCode();
        } else if (ex instanceof NoSuchFileException nf) {
            err.println("dlc: no such file: " + nf.getFile());
        } else if (ex instanceof IOException io) {
            err.println("dlc: " + io.getMessage());
        } else if (ex instanceof dlc.train.TrainException te) {
            err.println("dlc: " + te.getMessage());
        } else if (ex instanceof Interpreter.EvalException ev) {
            err.println("dlc: runtime error in " + ev.getMessage());
        } else if (ex instanceof dlc.runtime.OpFailure of) { // the JVM backend's counterpart of EvalException
            err.println("dlc: runtime error in " + of.getMessage());
        } else if (ex instanceof ShapeException se) {
            err.println("dlc: " + se.getMessage() + (se.hint() == null ? "" : " (hint: " + se.hint() + ")"));
        } else {
            err.println("dlc: internal error: " + ex + (debug ? "" : " (run with --debug to see the stack trace)"));
            code = 70; // EX_SOFTWARE: a bug in dlc, not in the user's input
        }
        err.flush();
        return code;
    }

    private static boolean debugRequested(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand())
            if (p.hasMatchedOption("--debug")) return true;
        return false;
    }
}
