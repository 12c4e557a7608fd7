package dlc.cli;

import dlc.data.Dataset;
import dlc.train.Checkpoints;
import dlc.train.Metrics;
import dlc.train.TrainBlocks;
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

/** {@code dlc eval FILE --weights CKPT}: the metrics of trained weights on the train block's data. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Report the loss (and accuracy, for class labels) of a checkpoint's weights on the validation split "
                + "the training run held out, on the whole data set of the model's train block, and on its test set when the block names one.")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Mixin BackendChoice backend;

    @Mixin WeightsDtypeChoice weightsDtype;

    @Option(names = "--weights", paramLabel = "CKPT", required = true, description = "The checkpoint (from dlc train); its tensors are matched to the model's weights by name, dtype and shape.")
    Path weights;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of data files such as Fashion-MNIST.")
    Path dataDir;

    @Override public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        TrainInputs in = TrainInputs.load(main.toolchain(), file, choice, err);
        Checkpoints.Weights w = Checkpoints.readWeights(weights, Programs.graph(in.module, "eval"), in.module.name());
        Dataset data = in.data(file, dataDir);
        TrainCommand.checkLabels(in, in.plan, data, null);
        var plan = in.plan.toBuilder().seed(w.seed()).build();
        Trainer t = TrainInputs.user(() -> TrainBlocks.trainer(in.module, plan, weightsDtype.executor(backend.executor(), backend.backend)));
        out.println("model " + in.module.name() + ", weights " + weights + " (" + (w.model().equals(in.module.name()) ? "" : "model " + w.model() + ", ")
                + "after " + w.epoch() + " epochs)" + (weightsDtype.narrow() ? ", " + weightsDtype.describe(Programs.graph(in.module, "eval")) : ""));
        Dataset.Split split = TrainInputs.user(() -> t.split(data, w.seed()));
        if (split.validation().size() > 0) {
            Metrics m = TrainInputs.user(() -> t.evaluate(split.validation(), w.tensors()));
            out.println("validation: " + m);
        }
        Dataset whole = TrainInputs.user(() -> t.whole(data, w.seed()));
        Metrics all = TrainInputs.user(() -> t.evaluate(whole, w.tensors()));
        out.println("all data:   " + all);
        Dataset test = in.testData(file, dataDir);
        if (test != null) {
            Metrics tm = TrainInputs.user(() -> t.evaluate(t.likeTraining(test, data, w.seed()), w.tensors()));
            out.println("test:       " + tm);
        }
        out.flush();
        return 0;
    }
}
