package dlc.frontend;

import dlc.frontend.lower.FileLowering;
import dlc.frontend.train.TrainLowering;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The front end's packages depend one way: the driver ({@link Compiler}) on {@code lower} and
 * {@code train}, {@code train} on {@code lower}, and {@code lower} on neither {@code train} nor
 * the driver. Read from the compiled classes: every class a class file names (its constant
 * pool's class entries and the descriptors and signatures among its strings) is a dependency, so
 * an import, a fully qualified name or a field's type all count, and comments do not.
 */
class PackageDependenciesTest {
    static final String LOWER = "dlc/frontend/lower/", TRAIN = "dlc/frontend/train/";

    @Test void lowerNeverUsesTrainOrTheDriver() throws Exception {
        Map<String, Set<String>> lower = references(LOWER);
        assertTrue(lower.size() > 20, "found the compiled classes of dlc.frontend.lower: " + lower.keySet());
        List<String> offending = new ArrayList<>();
        lower.forEach((cls, refs) -> refs.stream()
                .filter(r -> r.startsWith(TRAIN) || r.equals("dlc/frontend/Compiler") || r.equals("dlc/frontend/Compilation"))
                .forEach(r -> offending.add(cls + " -> " + r)));
        assertEquals(List.of(), offending, "dlc.frontend.lower must not depend on dlc.frontend.train or the driver (a package cycle)");
    }

    @Test void trainUsesLowerAndTheDriverUsesBoth() throws Exception {
        Map<String, Set<String>> train = references(TRAIN);
        assertTrue(train.values().stream().flatMap(Set::stream).anyMatch(r -> r.startsWith(LOWER)),
                "the training-step construction stages .dl code through dlc.frontend.lower");
        List<String> offending = new ArrayList<>();
        train.forEach((cls, refs) -> refs.stream().filter(r -> r.equals("dlc/frontend/Compiler")).forEach(r -> offending.add(cls + " -> " + r)));
        assertEquals(List.of(), offending, "dlc.frontend.train must not depend on the driver");
        Set<String> driver = classReferences(read(classFile("dlc/frontend/Compiler")));
        assertTrue(driver.contains(internal(FileLowering.class)) && driver.contains(internal(TrainLowering.class)), driver.toString());
    }

    /** The reader itself: a class's references include its field types and the classes it calls. */
    @Test void theReaderFindsWhatAClassUses() throws Exception {
        Set<String> refs = classReferences(read(classFile(internal(PackageDependenciesTest.class))));
        assertTrue(refs.contains("dlc/frontend/lower/FileLowering"), refs.toString());
        assertTrue(refs.contains("java/util/Map"), refs.toString());
        assertTrue(refs.contains("dlc/frontend/train/TrainLowering"), "a class literal counts: " + refs);
        assertFalse(refs.stream().anyMatch(r -> r.startsWith("dlc/frontend/parse/")), "nothing here uses the parser: " + refs);
    }

    static String internal(Class<?> c) { return c.getName().replace('.', '/'); }

    /** Every class under package dir (internal name, with a trailing slash) and the classes it names. */
    static Map<String, Set<String>> references(String pkg) throws IOException, URISyntaxException {
        Path root = classesRoot();
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(root.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList())
                out.put(pkg + f.getFileName(), classReferences(Files.readAllBytes(f)));
        }
        return out;
    }

    static Path classesRoot() throws URISyntaxException {
        Path p = Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(p), "the front end's classes are a directory here (the build's target/classes): " + p);
        return p;
    }

    static Path classFile(String internalName) throws URISyntaxException {
        Path p = classesRoot().resolve(internalName + ".class");
        if (Files.exists(p)) return p;
        // a test class lives in the test-classes directory
        return Path.of(PackageDependenciesTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(internalName + ".class");
    }

    static byte[] read(Path p) throws IOException { return Files.readAllBytes(p); }

    /**
     * The classes a class file names: CONSTANT_Class entries, and the {@code Lpkg/Name;} forms in
     * its strings (descriptors and generic signatures, which name field and parameter types that
     * have no class entry of their own).
     */
    static Set<String> classReferences(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classIndexes.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 15 -> { in.readUnsignedByte(); in.readUnsignedShort(); }
                case 5, 6 -> { in.readLong(); i++; }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int idx : classIndexes) {
            String name = utf8[idx];
            while (name.startsWith("[")) name = name.substring(1);
            if (name.startsWith("L") && name.endsWith(";")) name = name.substring(1, name.length() - 1);
            out.add(name);
        }
        for (String s : utf8) {
            if (s == null) continue;
            int at = 0;
            while ((at = s.indexOf('L', at)) >= 0) {
                int end = s.indexOf(';', at);
                if (end < 0) break;
                String name = s.substring(at + 1, end);
                int generic = name.indexOf('<');
                if (generic >= 0) name = name.substring(0, generic);
                if (name.matches("[A-Za-z_$][\\w$]*(/[A-Za-z_$][\\w$]*)+")) out.add(name);
                at++;
            }
        }
        return out;
    }
}
