package dlc.data;

import java.nio.file.Path;

/** A .npy file that cannot be read or written as asked; the message names the file and the problem. */
public final class NpyException extends DataException {
    public NpyException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
