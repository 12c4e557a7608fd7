package dlc.codegen.opencl;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL device the tests run on. Under {@code CI=true} (CI installs PoCL) a missing loader,
 * platform or device fails the test; on a developer's machine without one the test is skipped
 * with a message that names the Debian packages to install. {@code -Ddlc.opencl.device=SPEC}
 * picks another device than the default (see {@link Devices#select}).
 */
public final class OpenClTestSupport {
    private OpenClTestSupport() {}

    private static ClDevice device;
    private static OpenClException missing;
    private static ClExecutor executor;

    /** The device, or a skip (a failure in CI) when there is none. */
    public static synchronized ClDevice device() {
        if (device == null && missing == null) {
            try {
                device = Devices.find(System.getProperty("dlc.opencl.device"));
            } catch (OpenClException e) {
                missing = e;
            }
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI")))
                Assertions.fail("CI=true, so the OpenCL tests must run, but: " + missing.getMessage());
            Assumptions.assumeTrue(false, "OpenCL tests skipped: " + missing.getMessage()
                    + " (to run them, on Debian: apt-get install " + OpenClLibrary.PACKAGES + ")");
        }
        return device;
    }

    /** One executor on {@link #device()} shared by the tests of this JVM (a test opens its own to test opening). */
    public static synchronized ClExecutor executor() {
        if (executor == null) executor = ClExecutor.open(device(), ClExecutor.Options.defaults());
        return executor;
    }

    /** Whether the ICD loader itself loads: the tests of "no platform" need it, not a platform. */
    public static void requireLoader() {
        try {
            OpenClLibrary.load();
        } catch (OpenClException e) {
            if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true, but: " + e.getMessage());
            Assumptions.assumeTrue(false, "OpenCL tests skipped: " + e.getMessage());
        }
    }
}
