package dlc.codegen.jvm;

import java.util.HashMap;
import java.util.Map;

/**
 * The registry of {@link Lowering}s by op name. Each family registers its own ops in its own file
 * (one op defined in one place); the loop-nest emitter handles elementwise, broadcast and
 * reduction ops inline and asks here for everything else.
 */
public final class Lowerings {
    private static final Map<String, Lowering> BY_OP = new HashMap<>();

    static {
        GemmLowerings.register(BY_OP);
        ConvLowerings.register(BY_OP);
        MovementLowerings.register(BY_OP);
        MiscLowerings.register(BY_OP);
        TranscendentalLowerings.register(BY_OP);
        ResizeLowering.register(BY_OP);
    }

    private Lowerings() {}

    /** The lowering of {@code op}, or null when the backend has none. */
    public static Lowering get(String op) { return BY_OP.get(op); }
}
