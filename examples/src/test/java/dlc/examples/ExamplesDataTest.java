package dlc.examples;

import dlc.data.Dataset;
import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Graph;
import dlc.train.Datasets;
import dlc.train.InputBinding;
import dlc.train.TrainBlocks;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ./dlc train examples/X.dl} works on a fresh machine: every example with a loss has a train
 * block whose data set {@link Datasets} knows, and every built-in (non-file) set loads with the
 * block's arguments and binds to the inputs of the block's step graphs. File sets (Fashion-MNIST)
 * are only checked by name, since a fresh machine may not have the files, and for an explicit
 * normalization (the loader gives raw bytes). No train block compiles with a warning.
 */
class ExamplesDataTest {
    /** Sets read from files the repository does not ship. */
    private static final Set<String> FILE_SETS = Set.of("fashion_mnist", "fashion-mnist", "csv", "npy");
    private static final Pattern TRAIN = Pattern.compile("(?m)^train\\s+(\\w+)\\s*\\{");
    private static final Pattern LOSS = Pattern.compile("(?m)^\\s+loss\\s");

    @Test void everyTrainBlockNamesADataSetThatResolvesAndBinds() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("."))) {
            files = s.filter(p -> p.toString().endsWith(".dl")).sorted().toList();
        }
        List<String> trained = new ArrayList<>(), errors = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            Matcher m = TRAIN.matcher(text);
            if (!m.find()) {
                if (LOSS.matcher(text).find()) errors.add(f + ": has a loss but no train block");
                continue;
            }
            Compilation c = Frontend.compile(f, m.group(1));
            assertTrue(c.ok(), f + ":\n" + c.render());
            TrainPlan plan = TrainBlocks.plan(c, c.module());
            if (!Datasets.NAMES.contains(plan.data().name())) {
                errors.add(f + ": unknown data set '" + plan.data().name() + "'");
                continue;
            }
            if (plan.hasTest() && !Datasets.NAMES.contains(plan.test().name())) errors.add(f + ": unknown test set '" + plan.test().name() + "'");
            // issue 9: autoencoder, vae and rbm read the loader's raw 0..255 bytes as probabilities and diverged
            if (plan.data().name().startsWith("fashion") && plan.normalize() == null)
                errors.add(f + ": trains on Fashion-MNIST's raw 0..255 pixel bytes; say how to normalize them (normalize=\"pixels\", ...)");
            // and a train block whose metric had to be guessed warns: every example names or implies its metric cleanly
            if (!c.diagnostics().isEmpty()) errors.add(f + ": warnings\n" + c.render());
            trained.add(f.getFileName().toString());
            if (FILE_SETS.contains(plan.data().name())) continue;
            try {
                Dataset d = Datasets.load(plan.data(), f.toAbsolutePath().getParent(), null);
                assertTrue(d.size() > 0, f + ": empty data set");
                for (TrainPlan.Step step : plan.steps()) {
                    Graph g = c.module().graph(step.graph()).orElseThrow(() -> new AssertionError(f + ": no graph " + step.graph()));
                    InputBinding.of(g, d);
                }
            } catch (RuntimeException e) {
                errors.add(f + ": " + e.getMessage());
            }
        }
        assertTrue(errors.isEmpty(), String.join("\n", errors));
        assertTrue(trained.containsAll(List.of("lstm.dl", "resnet_block.dl", "seq2seq_attention.dl", "mlp_moons.dl", "cnn_fashion.dl")), "trained: " + trained);
    }
}
