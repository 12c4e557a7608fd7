package dlc.onnx;

/**
 * A model that cannot cross to or from ONNX, or a file that is not a readable ONNX model. The
 * message is one line meant for the user: it names the op (and for export its source line) or
 * the problem with the file.
 */
public final class OnnxException extends RuntimeException {
    public OnnxException(String message) { super(message); }

    public OnnxException(String message, Throwable cause) { super(message, cause); }
}
