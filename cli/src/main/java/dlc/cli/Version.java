package dlc.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code dlc --version}: the project version, filtered into a resource at build time. */
final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        return new String[]{"dlc " + version(), "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a missing or unreadable resource only means the version is unknown
        }
        return p.getProperty("version", "unknown");
    }
}
