package dlc.runtime;

/**
 * Whether generated loop nests may take their vector path: {@code jdk.incubator.vector} is in the
 * boot layer (the JVM ran with {@code --add-modules jdk.incubator.vector}) and
 * {@code -Ddlc.vector=false} was not given. Holds no vector types itself, so generated classes can
 * test it on any JVM; the vector path touches {@link VecSpecies} only when this says yes.
 */
public final class VecSupport {
    /** Read by generated code (a static final, so the JIT folds the test away). */
    public static final boolean ENABLED = !"false".equals(System.getProperty("dlc.vector"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Floats per vector of the preferred species (1 when disabled). */
    public static final int LANES = ENABLED ? VecSpecies.lanes() : 1;

    private VecSupport() {}
}
