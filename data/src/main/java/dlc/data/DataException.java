package dlc.data;

import java.io.IOException;

/** A data file that is missing, malformed or truncated; the message names the file and the problem. */
public class DataException extends IOException {
    public DataException(String message) { super(message); }

    public DataException(String message, Throwable cause) { super(message, cause); }
}
