package dlc.passes;

import java.util.*;
import java.util.function.Function;

/**
 * Every pass by name, created from its options ({@code key=value} strings, as written in a
 * pipeline such as {@code shape-inference{B=32}}). Adding a pass means adding one line here.
 */
public final class Passes {
    private static final Map<String, Function<Map<String, String>, Pass>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(ShapeInference.NAME, ShapeInference::fromOptions);
        FACTORIES.put(dlc.passes.fusion.Fusion.NAME, dlc.passes.fusion.Fusion::fromOptions);
    }

    private Passes() {}

    /** The names of all passes, in registration order. */
    public static Set<String> names() { return Collections.unmodifiableSet(FACTORIES.keySet()); }

    /**
     * The pass called {@code name}, configured by {@code options}. Throws IllegalArgumentException
     * listing the known passes when there is none, or naming a bad option.
     */
    public static Pass create(String name, Map<String, String> options) {
        Function<Map<String, String>, Pass> f = FACTORIES.get(name);
        if (f == null) throw new IllegalArgumentException("unknown pass '" + name + "'; known passes: " + String.join(", ", names()));
        return f.apply(options);
    }
}
