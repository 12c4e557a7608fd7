package dlc.train;

/** A user mistake found while setting up or running training (unknown data set, columns that do not fit the model, ...). */
public final class TrainException extends RuntimeException {
    public TrainException(String message) { super(message); }

    public TrainException(String message, Throwable cause) { super(message, cause); }
}
