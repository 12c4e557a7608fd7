package dlc.runtime;

/**
 * Whether the elementwise kernels of {@link VecMath} may take their vector path:
 * {@code jdk.incubator.vector} is in the boot layer (the JVM ran with
 * {@code --add-modules jdk.incubator.vector}) and {@code -Ddlc.vector=false} was not given. Holds
 * no vector types itself, so it loads on any JVM.
 */
public final class VecSupport {
    /** A static final, so the JIT folds the test away. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("dlc.vector"))
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VecSupport() {}
}
