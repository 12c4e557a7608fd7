package dlc.frontend.lower;

import dlc.frontend.lower.Val.DefFn;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One instance of a def made by {@code share(f)}: a parameter scope opened once, in the frame
 * where {@code share} ran, that every call of the instance declares into. The first call declares
 * the parameters and state (and lowers their initializers); later calls find the same paths and
 * bind them to the same graph inputs, so the calls share one set of parameters and their
 * gradients add up. See docs/language.md, "Shared weights".
 */
final class SharedInstance {
    private final DefFn def;
    private final Frame anchor;
    private final Lowering lowering;
    /** Paths of the params and state declared by the first call, in declaration order. */
    private final Set<String> paths = new LinkedHashSet<>();
    private int calls;
    private boolean firstCallFailed;

    SharedInstance(DefFn def, Frame anchor, Lowering lowering) {
        this.def = def;
        this.anchor = anchor;
        this.lowering = lowering;
    }

    DefFn def() { return def; }

    /** The scope every call of the instance declares into. */
    Frame anchor() { return anchor; }

    /** The lowering the instance belongs to (its parameters are inputs of that lowering's graph). */
    Lowering lowering() { return lowering; }

    /** Paths declared by the first call: the params and state every later call must declare alike. */
    Set<String> paths() { return paths; }

    void own(String path) { paths.add(path); }

    /** Marks the first call as failed (reported): later calls fail silently. */
    void failFirstCall() { firstCallFailed = true; }

    boolean firstCallFailed() { return firstCallFailed; }

    /** The index of the call about to run (0 for the first) and counts it. */
    int nextCall() { return calls++; }
}
