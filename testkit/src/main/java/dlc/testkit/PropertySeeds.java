package dlc.testkit;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Seeds every jqwik property that does not fix its own seed from the system property
 * {@value #SEED}, which the root pom sets to a fixed number: {@code mvn test} draws the same
 * samples on every machine and every run, so a property fails for everyone or for no one.
 * {@code -Dpbt.seed=random} leaves the choice to jqwik (a fresh seed per property, printed in its
 * report), {@code -Dpbt.seed=N} replays a printed seed. jqwik has no global seed setting of its
 * own; this hook is registered for all tests through {@code META-INF/services}.
 */
public final class PropertySeeds implements AroundPropertyHook {
    /** The system property holding the seed: a long, or {@code random}. */
    public static final String SEED = "pbt.seed";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String seed = System.getProperty(SEED, "").trim();
        if (!seed.isEmpty() && !seed.equals("random") && context.attributes().seed().isEmpty()) {
            try {
                Long.parseLong(seed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SEED + " must be a whole number or 'random', not '" + seed + "'");
            }
            context.attributes().setSeed(seed);
        }
        return property.execute();
    }

    /** Outermost, so the seed is in place before any other hook or the generator sees the attributes. */
    @Override
    public int aroundPropertyProximity() { return -100; }

    @Override
    public PropagationMode propagateTo() { return PropagationMode.ALL_DESCENDANTS; }
}
