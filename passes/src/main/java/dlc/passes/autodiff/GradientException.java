package dlc.passes.autodiff;

import dlc.ir.Node;
import dlc.ir.ShapeException;
import dlc.ir.SourceLoc;

/**
 * A gradient rule refused one node (a stride-2 convolution over a symbolic height cannot size
 * the transposed convolution that restores it). The message starts with the node's source
 * location, so the CLI's one line and the front end's diagnostic point at the forward op.
 */
public final class GradientException extends ShapeException {
    private final transient SourceLoc loc;
    private final String detail;

    GradientException(Node n, String detail, String hint) {
        super(n.loc() + ": " + detail, hint);
        this.loc = n.loc();
        this.detail = detail;
    }

    /** Where the forward node came from in the source. */
    public SourceLoc loc() { return loc; }

    /** The gradient rule's own message, without the location. */
    public String detail() { return detail; }
}
