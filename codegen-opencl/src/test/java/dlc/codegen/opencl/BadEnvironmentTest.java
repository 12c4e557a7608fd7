package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Environments without OpenCL, simulated in child JVMs: no platform (the ICD loader, ocl-icd,
 * reads its vendor files from the directory in OCL_ICD_VENDORS, here an empty one) and no ICD
 * loader (LWJGL pointed at a library that does not exist). Each is one line on stderr and exit
 * 1, never a crash or a stack trace.
 */
class BadEnvironmentTest {
    private record Run(int code, String out, String err) {}

    private static Run probe(Map<String, String> env, String... jvmArgs) throws IOException, InterruptedException {
        return probe(System.getProperty("java.class.path"), env, jvmArgs);
    }

    private static Run probe(String classPath, Map<String, String> env, String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath));
        cmd.addAll(List.of(jvmArgs));
        cmd.add(DiscoveryProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test void noPlatformIsOneLineNamingThePackages(@TempDir Path emptyVendors) throws Exception {
        OpenClTestSupport.requireLoader();
        Run r = probe(Map.of("OCL_ICD_VENDORS", emptyVendors.toString()));
        assertEquals(1, r.code, r.toString());
        assertEquals("", r.out);
        assertEquals(Devices.noPlatform().getMessage() + System.lineSeparator(), r.err);
        assertTrue(r.err.startsWith("no OpenCL platform found (clGetPlatformIDs: CL_PLATFORM_NOT_FOUND_KHR); install one, e.g. on Debian: apt-get install pocl-opencl-icd ocl-icd-libopencl1"), r.err);
    }

    @Test void theSameChildFindsTheDeviceWithTheSystemsVendors() throws Exception {
        // the control for the test above: the probe itself works where a platform is registered
        ClDevice device = OpenClTestSupport.device();
        Run r = probe(Map.of());
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains(device.name()), r.toString());
    }

    @Test void noIcdLoaderIsOneLineNamingThePackages() throws Exception {
        Run r = probe(Map.of(), "-Dorg.lwjgl.opencl.libname=/nonexistent/libOpenCL.so.1");
        assertEquals(1, r.code, r.toString());
        assertEquals("", r.out);
        assertEquals(1, r.err.lines().count(), "one line, LWJGL's own advice muted:\n" + r.err);
        assertTrue(r.err.startsWith("cannot load the OpenCL ICD loader (/nonexistent/libOpenCL.so.1): "), r.err);
        assertTrue(r.err.strip().endsWith("install an OpenCL loader and platform, e.g. on Debian: apt-get install pocl-opencl-icd ocl-icd-libopencl1"), r.err);
    }

    @Test void noLwjglNativesIsOneLineNamingTheJar() throws Exception {
        String withoutNatives = String.join(java.io.File.pathSeparator, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator)).filter(e -> !e.contains("natives-")).toList());
        Run r = probe(withoutNatives, Map.of());
        assertEquals(1, r.code, r.toString());
        assertEquals(1, r.err.lines().count(), r.toString());
        assertTrue(r.err.startsWith("cannot load LWJGL's native library (liblwjgl.so, from the lwjgl natives-linux jar"), r.err);
    }
}
