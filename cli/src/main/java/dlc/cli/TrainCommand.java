package dlc.cli;

import dlc.data.Dataset;
import dlc.frontend.train.TrainPlan;
import dlc.train.Checkpoints;
import dlc.train.EpochRecord;
import dlc.train.LossCurve;
import dlc.train.Metrics;
import dlc.train.Progress;
import dlc.train.TrainBlocks;
import dlc.train.TrainState;
import dlc.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dlc train FILE}: train a model as its train block says, with a progress bar, validation, checkpoints and a loss curve. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on the data its train block names, on the JVM backend (or --backend interp).",
                "Shows a progress bar on stderr, validates (and measures the block's test set) after every epoch, writes a safetensors checkpoint after every epoch "
                        + "(atomically) and a loss curve as PNG and CSV."})
final class TrainCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Mixin BackendChoice backend;

    @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs (default: the train block's).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the train block's).")
    Integer batch;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: the train block's optimizer's).")
    Double lr;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of initialization, shuffling, the validation split and dropout (default: the train block's, else 0).")
    Long seed;

    @Option(names = "--out", paramLabel = "CKPT", description = "Checkpoint file (default: MODEL.safetensors).")
    Path out;

    @Option(names = "--resume", paramLabel = "CKPT", description = "Continue from this checkpoint exactly where it stopped.")
    Path resume;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of data files such as Fashion-MNIST (then $DLC_DATA, then the system's).")
    Path dataDir;

    @Option(names = "--plot", paramLabel = "PNG", description = "Loss curve image (default: CKPT with .png; a .csv is written beside it).")
    Path plot;

    @Override public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr(), stdout = spec.commandLine().getOut();
        // The overrides go to the compiler, which puts them into the train config and the step graphs
        // (the learning rate lives in the optimizer calls).
        java.util.Map<String, String> overrides = new java.util.LinkedHashMap<>();
        if (epochs != null) overrides.put("epochs", Integer.toString(epochs));
        if (batch != null) overrides.put("batch", Integer.toString(batch));
        if (seed != null) overrides.put("seed", Long.toString(seed));
        if (lr != null) overrides.put("lr", Double.toString(lr));
        TrainInputs in = TrainInputs.load(main.toolchain(), file, choice, overrides, err);
        TrainPlan plan = in.plan;
        Dataset data = in.data(file, dataDir);
        Dataset test = in.testData(file, dataDir);
        checkLabels(in, plan, data, test);
        Path ckpt = out != null ? out : Path.of(in.module.name() + ".safetensors");
        Path png = plot != null ? plot : sibling(ckpt, ".png");
        Path csv = sibling(png, ".csv");
        // Every output path is checked before training, so a run never trains for hours and then fails to save.
        for (Path p : new Path[]{ckpt, png, csv}) {
            Path parent = p.toAbsolutePath().getParent();
            if (parent == null || !java.nio.file.Files.isDirectory(parent))
                throw new UserError("cannot write " + p + ": directory " + parent + " does not exist");
            if (java.nio.file.Files.isDirectory(p))
                throw new UserError("cannot write " + p + ": it is a directory; give a file name such as " + p.resolve(in.module.name() + (p == ckpt ? ".safetensors" : p == png ? ".png" : ".csv")));
            if (!java.nio.file.Files.isWritable(parent))
                throw new UserError("cannot write " + p + ": directory " + parent + " is not writable");
        }
        Trainer trainer = TrainInputs.user(() -> TrainBlocks.trainer(in.module, plan, backend.executor()))
                .progress(new Progress(err, System.console() != null)).checkpointTo(ckpt);
        trainer.testOn(test);
        TrainState start;
        if (resume != null) {
            start = Checkpoints.read(resume, in.module.graph("init").orElseThrow(), in.module.name());
            if (seed != null && seed != start.seed)
                throw new UserError("--seed " + seed + " differs from the seed " + start.seed + " of " + resume + "; a resumed run keeps its seed", UserError.USAGE);
            TrainState resumed = start;
            Dataset resumedPart = TrainInputs.user(() -> trainer.split(data, resumed.seed)).train();
            if (start.epoch < plan.epochs())
                Checkpoints.checkBatch(resume, start, dlc.data.Batches.shuffled(resumedPart, plan.batch(), start.seed, start.epoch,
                        resumedPart.size() < plan.batch()).count());
            err.println("resuming " + in.module.name() + " from " + resume + " at epoch " + (start.epoch + 1) + ", batch " + (start.batch + 1));
        } else {
            start = trainer.init();
        }
        err.println("training " + in.module.name() + " on " + data + (test == null ? "" : ", testing on " + test) + "; batch " + plan.batch() + ", " + plan.epochs() + " epochs, seed " + start.seed);
        Trainer.Result r;
        try {
            r = TrainInputs.user(() -> trainer.fit(data, start));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a checkpoint that could not be written: reported like any I/O error
        }
        if (r.history().isEmpty()) Checkpoints.write(ckpt, r.state(), in.module.name()); // nothing left to run: still leave a checkpoint
        else {
            LossCurve.writeCsv(csv, r.history());
            LossCurve.writePng(png, r.history());
        }
        EpochRecord last = r.history().isEmpty() ? null : r.history().get(r.history().size() - 1);
        StringBuilder sb = new StringBuilder("trained " + in.module.name() + " for " + r.state().epoch + " epochs");
        if (r.stoppedEarly()) sb.append(" (stopped early; kept the weights of epoch ").append(r.state().bestEpoch).append(')');
        if (last != null) {
            sb.append(String.format(": train loss %.4f", last.trainLoss())).append(r.stoppedEarly() ? " (last epoch)" : "");
            // the final weights' validation metrics: after early stopping, the restored epoch's, not the last epoch's
            Metrics v = r.validation();
            if (v != null && !Double.isNaN(v.loss())) sb.append(String.format(", validation loss %.4f", v.loss()));
            if (v != null && v.hasAccuracy()) sb.append(String.format(", validation accuracy %.2f%%", 100 * v.accuracy()));
        }
        Metrics t = r.test();
        if (t != null) {
            if (!Double.isNaN(t.loss())) sb.append(String.format(", test loss %.4f", t.loss()));
            if (t.hasAccuracy()) sb.append(String.format(", test accuracy %.2f%% (%d samples)", 100 * t.accuracy(), t.samples()));
        }
        stdout.println(sb);
        stdout.println("checkpoint " + ckpt + (last == null ? "" : "; loss curve " + png + " and " + csv));
        stdout.flush();
        return 0;
    }

    /** Labels the model cannot mean (a class past its outputs, a fraction for an integer input) are an error before training. */
    static void checkLabels(TrainInputs in, TrainPlan plan, Dataset data, Dataset test) {
        dlc.ir.Graph eval = Programs.graph(in.module, "eval");
        TrainInputs.user(() -> {
            dlc.train.LabelCheck.checkPlan(eval, plan, data);
            if (test != null) dlc.train.LabelCheck.checkPlan(eval, plan, test);
            return null;
        });
    }

    /** {@code p} with its extension replaced by {@code ext}. */
    static Path sibling(Path p, String ext) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return p.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ext);
    }
}
