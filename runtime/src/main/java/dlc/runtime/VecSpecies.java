package dlc.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The float vector species of generated vector loops; loaded only when {@link VecSupport#ENABLED}. */
public final class VecSpecies {
    /** A static final, so the JIT sees a constant species and compiles vector ops to instructions. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VecSpecies() {}

    static int lanes() { return F.length(); }
}
