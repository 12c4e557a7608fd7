package dlc.runtime;

/**
 * A compiled op that failed on the values it was given (a gather index out of range, an integer
 * division by zero): the message names the op and its source location, as the reference
 * interpreter's run-time errors do ({@code gather at model.dl:10:20: gather index 7 is out of
 * range for an axis of size 5}). Generated node methods wrap the kernels' IllegalArgumentException
 * and ArithmeticException in one; a bad input, not a bug in dlc.
 */
public final class OpFailure extends RuntimeException {
    public OpFailure(RuntimeException cause, String where) {
        super(where + ": " + cause.getMessage(), cause);
    }
}
