package dlc.cli;

import dlc.data.Dataset;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.passes.autodiff.Autodiff;
import dlc.train.Executor;
import dlc.train.GradCheck;
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
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dlc gradcheck FILE}: float64 finite differences of the model's loss against its reverse-mode gradients. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check the gradient of the model's loss w.r.t. every parameter against float64 central differences "
                + "on a small batch (from the train block's data, else random), and print the worst relative error per parameter.",
                "Always runs on the float64 reference interpreter (no --backend): float32 rounding would swamp the finite differences.",
                "Exit code 1 when a parameter's error exceeds the tolerance."})
final class GradcheckCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .dl file.")
    Path file;

    @Mixin ModelChoice choice;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the parameters, the batch and the directions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of data files such as Fashion-MNIST.")
    Path dataDir;

    @Override public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        TrainInputs in = TrainInputs.loadWithoutPlan(main.toolchain(), file, choice, err);
        Module module = in.module;
        boolean hasLoss = module.graph("train").or(() -> module.graph("eval"))
                .map(g -> g.outputs().stream().anyMatch(o -> o.role() == Graph.Output.Role.LOSS)).orElse(false);
        if (!hasLoss) {
            out.println("gradcheck of " + module.name() + ": the model has no loss, so there is no gradient to check");
            out.flush();
            return 0;
        }
        Dataset data = null;
        String source = "random inputs";
        List<TrainPlan.Step> steps = List.of();
        try {
            TrainInputs planned = in.withPlan();
            if (planned.plan.steps().size() > 1) steps = planned.plan.steps();
            data = planned.data(file, dataDir);
            source = "the first " + GradCheck.BATCH + " samples of " + planned.plan.data().name();
        } catch (UserError | IOException e) {
            // No usable train block or data: random inputs still check every parameter. The whole
            // message is printed: its example train block follows on the next lines.
            err.println("gradcheck: " + e.getMessage());
            err.println("gradcheck: using random inputs");
        }
        Dataset batch = data;
        List<TrainPlan.Step> checked = steps;
        GradCheck.Report r = TrainInputs.user(() -> new GradCheck(new Autodiff(), Executor.interpreter()).checkModel(module, batch, seed, checked));
        out.println("gradcheck of " + module.name() + " (loss " + String.format("%.6g", r.loss()) + " on " + source + ", seed " + seed + "):");
        out.print(r.render());
        out.flush();
        return r.passed() ? 0 : UserError.FAILED;
    }
}
