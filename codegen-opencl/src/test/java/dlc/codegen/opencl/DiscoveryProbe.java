package dlc.codegen.opencl;

/**
 * A main for {@link BadEnvironmentTest}'s child JVMs: lists the devices, or prints the one-line
 * error and exits 1, as {@code dlc devices} does. A child JVM, because a JVM loads the ICD loader
 * and reads the vendor directory once.
 */
public final class DiscoveryProbe {
    private DiscoveryProbe() {}

    public static void main(String[] args) {
        try {
            for (ClDevice d : Devices.list()) System.out.println(d.describe());
        } catch (OpenClException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
