package dlc.codegen.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * An OpenCL C program and the options it is built with: {@code name} names it in messages and log
 * files, {@code defines} become {@code -D NAME=VALUE} build options (sorted, so equal programs have
 * equal cache keys), which is how a kernel written once is specialized per use.
 */
public record ProgramSource(String name, String source, Map<String, String> defines) {
    public ProgramSource {
        defines = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(defines));
    }

    /** A kernel file under {@code src/main/resources/dlc/codegen/opencl/}. */
    public static ProgramSource resource(String file, Map<String, String> defines) {
        try (InputStream in = ProgramSource.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("missing kernel resource " + file);
            return new ProgramSource(file, new String(in.readAllBytes(), StandardCharsets.UTF_8), defines);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel resource " + file, e);
        }
    }

    /** The build options: every define, then OpenCL 1.2 C (every device since 2011 takes it). */
    public String options() {
        StringJoiner j = new StringJoiner(" ");
        defines.forEach((k, v) -> j.add("-D" + k + "=" + v));
        j.add("-cl-std=CL1.2");
        return j.toString();
    }
}
