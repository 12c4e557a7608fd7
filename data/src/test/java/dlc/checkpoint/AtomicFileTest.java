package dlc.checkpoint;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFileTest {
    @TempDir Path dir;

    List<Path> files() throws IOException {
        try (var s = Files.list(dir)) { return s.sorted().toList(); }
    }

    @Test void replacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFile.write(f, out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(f, out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second", Files.readString(f));
        assertEquals(List.of(f), files());
    }

    @Test void aFailedWriteKeepsThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Checkpoint good = new Checkpoint(Map.of("w", Tensor.of(new int[]{2}, 1, 2).withDType(DType.F32)), Map.of("dlc.step", "1"));
        SafeTensors.write(f, good);
        byte[] before = Files.readAllBytes(f);
        byte[] next = SafeTensors.encode(new Checkpoint(Map.of("w", Tensor.of(new int[]{2}, 3, 4).withDType(DType.F32)), Map.of("dlc.step", "2")));
        // Simulate a crash part way: half the new bytes are written, then the write fails.
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, out -> {
            out.write(next, 0, next.length / 2);
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(good, SafeTensors.read(f));
        assertEquals(List.of(f), files(), "the temporary file is removed");
    }

    @Test void aFailedFirstWriteCreatesNothing() throws IOException {
        Path f = dir.resolve("new.bin");
        assertThrows(RuntimeException.class, () -> AtomicFile.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("boom");
        }));
        assertEquals(List.of(), files());
    }

    @Test void writingIntoAMissingDirectoryIsAClearError() {
        Path f = dir.resolve("no/such/dir/x.safetensors");
        String m = assertThrows(IOException.class, () -> SafeTensors.write(f, new Checkpoint(Map.of(), Map.of()))).getMessage();
        assertTrue(m.contains("does not exist"), m);
    }
}
