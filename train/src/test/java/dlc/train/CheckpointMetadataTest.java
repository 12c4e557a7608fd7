package dlc.train;

import dlc.checkpoint.Checkpoint;
import dlc.checkpoint.CheckpointException;
import dlc.checkpoint.SafeTensors;
import dlc.ir.Graph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 10: every metadata field of a checkpoint is range-checked when a run resumes from it, never narrowed or trusted. */
class CheckpointMetadataTest {
    @TempDir Path dir;

    private static final Graph INIT = TrainerTest.MLP.graph("init").orElseThrow();

    /** A checkpoint of one epoch of training, with metadata {@code key} set to {@code value} (the file re-hashed, as a careful forger would). */
    private Path edited(String key, String value) throws Exception {
        Trainer t = TestModels.sgdTrainer(TrainerTest.MLP, TrainerTest.plan(1), 0.5).progress(TrainerTest.quiet());
        Path f = dir.resolve("c.safetensors");
        Checkpoints.write(f, t.fit(TrainerTest.MOONS, t.init()).state(), TrainerTest.MLP.name());
        SafeTensors.write(f, SafeTensors.read(f).with(key, value));
        return f;
    }

    private void refused(String key, String value, String expected) throws Exception {
        Path f = edited(key, value);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(f, INIT, TrainerTest.MLP.name()), key + " = " + value);
        assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test void outOfRangeCountersAreErrorsNamingTheField() throws Exception {
        refused("dlc.batch", "-5", "metadata 'dlc.batch' = -5 is out of range [0, 2147483647]");
        refused(Checkpoint.EPOCH_KEY, "99999999999", "metadata 'dlc.epoch' = 99999999999 is out of range [0, 2147483647]");
        refused(Checkpoint.STEP_KEY, "-1", "metadata 'dlc.step' = -1 is out of range");
        refused("dlc.best_epoch", "7", "metadata 'dlc.best_epoch' = 7 is out of range [0, 1]");
        refused("dlc.bad_epochs", "-2", "metadata 'dlc.bad_epochs' = -2 is out of range [0, 1]");
        refused("dlc.best_loss", "NaN", "metadata 'dlc.best_loss' = NaN is not a loss");
        refused("dlc.batch", "x", "'dlc.batch' = 'x' is not an integer");
        refused("dlc.batch", "100000", "metadata 'dlc.step' = 18 counts fewer batches than 'dlc.batch' = 100000");
    }

    @Test void aBatchPastTheEndOfTheEpochIsAnError() throws Exception {
        Path f = edited("dlc.batch", "100000");
        SafeTensors.write(f, SafeTensors.read(f).with(Checkpoint.STEP_KEY, "100018"));
        TrainState s = Checkpoints.read(f, INIT, TrainerTest.MLP.name());
        Checkpoints.checkBatch(f, s, 100000);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.checkBatch(f, s, 19));
        assertTrue(e.getMessage().contains("'dlc.batch' = 100000 is past the end of the epoch (19 batches"), e.getMessage());
    }
}
