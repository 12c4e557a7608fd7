package dlc.frontend.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.Graph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Every example's train block lowers to step graphs that verify and round-trip through the IR text form. */
class ExamplesTrainTest {
    static Stream<Path> examples() throws IOException {
        return Files.list(Path.of("../examples")).filter(p -> p.toString().endsWith(".dl")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void trainBlockLowers(Path file) throws IOException {
        Compilation c = Frontend.compile(file, null);
        assertTrue(c.ok(), () -> c.render());
        boolean hasTrain = Files.readString(file).contains("\ntrain ");
        assertEquals(hasTrain, c.train() != null);
        dlc.ir.Verifier.verify(c.module());
        String text = dlc.ir.text.IrPrinter.print(c.module());
        assertEquals(java.util.Optional.empty(), dlc.ir.GraphEquivalence.difference(c.module(), dlc.ir.text.IrParser.parseModule(text)),
                "the module with its step graphs prints and parses back");
        if (!hasTrain) return;
        for (TrainPlan.Step s : c.train().steps()) {
            Graph g = c.module().graph(s.graph()).orElseThrow();
            assertTrue(g.outputs().stream().anyMatch(o -> o.role() == Graph.Output.Role.UPDATE), s.graph() + " updates something");
        }
    }
}
