package dlc.codegen.jvm;

import dlc.runtime.CompiledGraph;

import java.util.Map;
import java.util.TreeMap;

/**
 * The class files generated for one graph: the main class (a {@link CompiledGraph} subclass with a
 * public no-argument constructor) and nested ones (scan bodies), by binary name
 * ({@code dlc.gen.Mlp_eval}). Bytes are deterministic: the same graph gives the same bytes.
 */
public record CompiledClasses(String mainClass, Map<String, byte[]> classes) {
    public CompiledClasses {
        classes = new TreeMap<>(classes);
    }

    /** Defines the classes in a fresh class loader (child of the runtime's) and instantiates the main class. */
    public CompiledGraph instantiate() {
        GeneratedClassLoader loader = new GeneratedClassLoader(classes);
        try {
            return (CompiledGraph) loader.loadClass(mainClass).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class " + mainClass + " cannot be instantiated", e);
        }
    }

    /** Loads generated classes from bytes, delegating everything else (the runtime) to its parent. */
    static final class GeneratedClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        GeneratedClassLoader(Map<String, byte[]> classes) {
            super(CompiledGraph.class.getClassLoader());
            this.classes = classes;
        }

        @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }
    }
}
