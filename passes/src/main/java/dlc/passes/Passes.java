package dlc.passes;

import dlc.passes.fusion.Fusion;
import dlc.passes.fusion.Rematerialize;
import dlc.passes.simplify.*;

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
        // simplification, in the order one round of the simplify pipeline runs them
        FACTORIES.put(ScanMerge.NAME, noOptions(ScanMerge.NAME, ScanMerge::new));
        FACTORIES.put(ScanForwarding.NAME, noOptions(ScanForwarding.NAME, ScanForwarding::new));
        FACTORIES.put(BatchNormFolding.NAME, noOptions(BatchNormFolding.NAME, BatchNormFolding::new));
        FACTORIES.put(AlgebraicSimplification.NAME, noOptions(AlgebraicSimplification.NAME, AlgebraicSimplification::new));
        FACTORIES.put(ConstantFolding.NAME, ConstantFolding::fromOptions);
        FACTORIES.put(CommonSubexpressionElimination.NAME, noOptions(CommonSubexpressionElimination.NAME, CommonSubexpressionElimination::new));
        FACTORIES.put(SharedOperandMatmul.NAME, noOptions(SharedOperandMatmul.NAME, SharedOperandMatmul::new));
        FACTORIES.put(DeadCodeElimination.NAME, noOptions(DeadCodeElimination.NAME, DeadCodeElimination::new));
        FACTORIES.put(Simplify.NAME, Simplify::fromOptions);
        // fusion runs after simplification, on the graph it leaves
        FACTORIES.put(Fusion.NAME, Fusion::fromOptions);
        // after fusion: recompute what groups would otherwise store only for another group to read
        FACTORIES.put(Rematerialize.NAME, Rematerialize::fromOptions);
    }

    private Passes() {}

    /** A factory for a pass that takes no options; any option is an error naming the pass. */
    private static Function<Map<String, String>, Pass> noOptions(String name, java.util.function.Supplier<Pass> make) {
        return options -> {
            if (!options.isEmpty()) throw new IllegalArgumentException(name + " takes no options, got " + options.keySet());
            return make.get();
        };
    }

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
