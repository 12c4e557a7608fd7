package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Relative imports through the file system, as the CLI compiles files. */
class FileImportTest {
    @Test
    void relativeImportsResolveNextToTheImportingFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("models/parts"));
        Files.writeString(dir.resolve("models/blocks.dl"), "import models.parts.act\ndef block(x) { act(x) * 2 }\n");
        Files.writeString(dir.resolve("models/parts/act.dl"), "def act(x) { relu(x) }\n");
        Files.writeString(dir.resolve("main.dl"), """
                import models.blocks.block
                model M {
                  input x: f32[B, 3]
                  output y = block(x)
                }
                """);
        Compilation c = Frontend.compile(dir.resolve("main.dl"), null);
        String out = c.render();
        assertFalse(c.ok(), "models/blocks.dl imports models.parts.act relative to itself, i.e. models/models/parts/act.dl");
        assertTrue(out.contains("unknown module 'models.parts.act'"), out);
        assertTrue(out.contains("blocks.dl:1:1"), out);
    }

    @Test
    void aFileImportsItsSiblings(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/act.dl"), "def act(x) { relu(x) }\n");
        Files.writeString(dir.resolve("lib/blocks.dl"), "def block(x) { x * 2 }\n");
        Files.writeString(dir.resolve("main.dl"), """
                import lib.act.act
                import lib.blocks
                model M {
                  input x: f32[B, 3]
                  output y = blocks.block(act(x))
                }
                """);
        Compilation c = Frontend.compile(dir.resolve("main.dl"), "M");
        assertTrue(c.ok(), c.render());
        assertTrue(c.sources().keySet().containsAll(java.util.List.of(dir.resolve("lib/act.dl").toString(), dir.resolve("lib/blocks.dl").toString())),
                c.sources().keySet().toString());
    }

    @Test
    void aMissingFileIsADiagnostic(@TempDir Path dir) {
        Compilation c = Frontend.compile(dir.resolve("nope.dl"), null);
        assertFalse(c.ok());
        assertTrue(c.render().contains("cannot read"), c.render());
    }
}
