package dlc.codegen.opencl.jar;

import dlc.runtime.CompiledGraph;
import dlc.runtime.Model;
import dlc.runtime.ModelMain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

/**
 * Picks the backend of an OpenCL model jar ({@code dlc compile --backend opencl}) when its typed
 * class loads: the jar's OpenCL kernels through LWJGL when LWJGL is on the class path and an OpenCL
 * device is there, else the JVM-compiled graph the jar also carries. It says which on stderr, in one
 * line, once per process: {@code dlc: backend opencl, device 0: NAME (cpu, platform P)} or
 * {@code dlc: backend jvm (REASON)}.
 *
 * <p>This class must load and run without LWJGL: it names no LWJGL type and reaches the OpenCL side
 * ({@link ClJarGraph}) only by reflection, after checking that LWJGL's classes are there, so no
 * {@code NoClassDefFoundError} escapes; any failure to start OpenCL (no natives, no ICD loader, no
 * platform, no device) falls back.
 *
 * <p>System properties: {@value #BACKEND_PROPERTY}={@code jvm} runs the JVM graph without trying
 * OpenCL; {@value #DEVICE_PROPERTY}={@code N|gpu|accelerator|cpu|NAME} picks the device as
 * {@code dlc --device} does (default: the first GPU, else accelerator, else CPU).
 */
public final class JarLauncher {
    /** {@code -Ddlc.backend=jvm|opencl}: which graph the jar runs (default opencl, falling back to jvm). */
    public static final String BACKEND_PROPERTY = "dlc.backend";
    /** {@code -Ddlc.opencl.device=SPEC}: the OpenCL device, as {@code dlc devices --device} takes it. */
    public static final String DEVICE_PROPERTY = "dlc.opencl.device";
    /** The LWJGL release the jar's OpenCL side was built against (OpenClJarTest checks it is the one on the build's class path). */
    public static final String LWJGL_VERSION = "3.3.6";
    /** The jars LWJGL's OpenCL binding needs, as Maven names the files (x86-64 Linux natives). */
    public static final String[] LWJGL_JARS = {"lwjgl-" + LWJGL_VERSION + ".jar", "lwjgl-opencl-" + LWJGL_VERSION + ".jar",
            "lwjgl-" + LWJGL_VERSION + "-natives-linux.jar"};
    /** The class the OpenCL side is reached through (by name: it links LWJGL). */
    private static final String CL_GRAPH = "dlc.codegen.opencl.jar.ClJarGraph";

    private static boolean reported;

    private JarLauncher() {}

    /**
     * The graph the model class {@code anchor} runs: an OpenCL one compiled from the jar's IR
     * ({@code Anchor.opencl/graph.ir} beside the class) when possible, else {@code jvm}. Prints the
     * choice (once per process).
     */
    public static CompiledGraph choose(CompiledGraph jvm, Class<?> anchor) {
        String backend = System.getProperty(BACKEND_PROPERTY, "opencl").strip();
        if (backend.equals("jvm")) {
            choice("dlc: backend jvm (-D" + BACKEND_PROPERTY + "=jvm)");
            return jvm;
        }
        if (!backend.equals("opencl")) {
            choice("dlc: backend jvm (-D" + BACKEND_PROPERTY + "=" + backend + " is neither opencl nor jvm)");
            return jvm;
        }
        String missing = missingLwjgl();
        if (missing != null) {
            choice("dlc: backend jvm (no OpenCL: LWJGL is not on the class path (" + missing + " is missing); add " + String.join(", ", LWJGL_JARS)
                    + " for OpenCL, see --help)");
            return jvm;
        }
        try {
            Object cl = Class.forName(CL_GRAPH, true, JarLauncher.class.getClassLoader())
                    .getConstructor(CompiledGraph.class, String.class, String.class, String.class)
                    .newInstance(jvm, resource(anchor, "graph.ir"), resource(anchor, "graph.cl"), System.getProperty(DEVICE_PROPERTY));
            choice("dlc: backend opencl, " + cl);
            return (CompiledGraph) cl;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error && !(cause instanceof LinkageError)) throw error; // out of memory and the like
            choice("dlc: backend jvm (no OpenCL: " + message(cause) + ")");
        } catch (ReflectiveOperationException | LinkageError e) {
            choice("dlc: backend jvm (no OpenCL: " + message(e) + ")");
        }
        return jvm;
    }

    /** {@code java -jar}: as {@link ModelMain}, and {@code --help} adds what the OpenCL side needs. */
    public static void main(Model model, String[] args) {
        int code = ModelMain.run(model, args, System.out, System.err);
        for (String a : args)
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(requirements(model.getClass().getName()));
                break;
            }
        if (code != 0) System.exit(code);
    }

    /** What the user must add for OpenCL, and the properties: the text --help and API.txt end with. */
    public static String requirements(String className) {
        String cp = String.join(":", LWJGL_JARS);
        return "\nOpenCL: this jar runs its generated OpenCL kernels through LWJGL " + LWJGL_VERSION + " when these jars are on the class path\n"
                + "  " + String.join(", ", LWJGL_JARS) + "\n"
                + "  (org.lwjgl:lwjgl, org.lwjgl:lwjgl-opencl and org.lwjgl:lwjgl:natives-linux; x86-64 Linux)\n"
                + "and an OpenCL device is found; otherwise it runs the JVM-compiled graph it also carries. It prints which on stderr, once.\n"
                + "With java -jar, put the three jars in this jar's directory (its manifest's Class-Path names them), or run\n"
                + "  java --add-modules jdk.incubator.vector -cp THIS.jar:" + cp + " " + className + " --input NAME=FILE.npy ...\n"
                + "-D" + BACKEND_PROPERTY + "=jvm runs the JVM graph; -D" + DEVICE_PROPERTY + "=N|gpu|accelerator|cpu|NAME picks the device (default: the first GPU, else CPU).\n";
    }

    /** Prints {@code line} on stderr unless a choice was printed before in this process. */
    private static synchronized void choice(String line) {
        if (reported) return;
        reported = true;
        report(line);
    }

    /** Prints one line on stderr. */
    static void report(String line) {
        System.err.println(line);
        System.err.flush();
    }

    /** The first of LWJGL's classes the OpenCL side needs that cannot be found (without initializing any), or null. */
    private static String missingLwjgl() {
        for (String c : new String[]{"org.lwjgl.system.Library", "org.lwjgl.opencl.CL10"}) {
            try {
                Class.forName(c, false, JarLauncher.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return c;
            }
        }
        return null;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return (m == null || m.isBlank() ? t.getClass().getName() : m).replaceAll("\\s*\\R\\s*", " ");
    }

    /** The resource (relative to the model class {@code modelSimpleName}) of the OpenCL side's file {@code name}. */
    static String resourceName(String modelSimpleName, String name) { return modelSimpleName + ".opencl/" + name; }

    /** The text resource {@code NAME} of the model class's OpenCL directory ({@code Simple.opencl/NAME}). */
    private static String resource(Class<?> anchor, String name) {
        String res = resourceName(anchor.getSimpleName(), name);
        try (InputStream s = anchor.getResourceAsStream(res)) {
            if (s == null) throw new IllegalStateException("model " + anchor.getName() + ": the OpenCL resource " + res + " is missing from the jar");
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("model " + anchor.getName() + ": cannot read " + res + ": " + e.getMessage(), e);
        }
    }
}
