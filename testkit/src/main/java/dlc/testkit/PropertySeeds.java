package dlc.testkit;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyAttributes;
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
 *
 * <p>It also scales the tries, including those a property sets itself (which jqwik's
 * {@code jqwik.tries.default} does not reach): {@value #TRIES_FACTOR} multiplies them (the
 * {@code thorough} profile sets 10) and {@value #TRIES_MIN} raises any below it to it.
 */
public final class PropertySeeds implements AroundPropertyHook {
    /** The system property holding the seed: a long, or {@code random}. */
    public static final String SEED = "pbt.seed";
    /** Multiplies every property's tries (default 1). */
    public static final String TRIES_FACTOR = "pbt.tries.factor";
    /** Every property runs at least this many tries (default 0). */
    public static final String TRIES_MIN = "pbt.tries.min";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        PropertyAttributes attributes = context.attributes();
        String seed = System.getProperty(SEED, "").trim();
        if (!seed.isEmpty() && !seed.equals("random") && attributes.seed().isEmpty()) {
            number(SEED, seed, "a whole number or 'random'");
            attributes.setSeed(seed);
        }
        long factor = number(TRIES_FACTOR, System.getProperty(TRIES_FACTOR, "1"), "a positive whole number");
        long min = number(TRIES_MIN, System.getProperty(TRIES_MIN, "0"), "a whole number");
        if (factor != 1 || min > 0) {
            long tries = attributes.tries().map(Integer::longValue)
                    .orElseGet(() -> number("jqwik.tries.default", System.getProperty("jqwik.tries.default", "1000"), "a whole number"));
            attributes.setTries((int) Math.min(Integer.MAX_VALUE, Math.max(tries * Math.max(factor, 1), min)));
        }
        return property.execute();
    }

    private static long number(String name, String text, String what) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be " + what + ", not '" + text + "'");
        }
    }

    /** Outermost, so seed and tries are in place before any other hook or the generator sees the attributes. */
    @Override
    public int aroundPropertyProximity() { return -100; }

    @Override
    public PropagationMode propagateTo() { return PropagationMode.ALL_DESCENDANTS; }
}
