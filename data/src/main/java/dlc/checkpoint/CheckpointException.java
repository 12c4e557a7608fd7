package dlc.checkpoint;

import java.io.IOException;

/** A checkpoint file that is malformed, corrupted, or does not match what the model expects. */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) { super(message); }

    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
