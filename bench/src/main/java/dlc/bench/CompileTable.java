package dlc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Renders CompileTimes output as a markdown table: per example, the fresh-JVM time split into
 * frontend / passes / codegen+load, the warm time, and (from a second file, when given) the
 * fresh-JVM time with C1 only.
 *
 * <pre>java -cp ... dlc.bench.CompileTable compile.txt [compile-c1.txt]</pre>
 */
public final class CompileTable {
    private CompileTable() {}

    public static void main(String[] args) throws IOException {
        Map<String, String[]> main = read(Path.of(args[0]));
        Map<String, String[]> c1 = args.length > 1 ? read(Path.of(args[1])) : Map.of();
        System.out.println("| example | graphs | fresh JVM ms | frontend | passes | codegen + load | warm ms | fresh JVM, C1 only ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Map.Entry<String, String[]> e : main.entrySet()) {
            String[] f = e.getValue();
            if (f[2].equals("FAILED")) {
                System.out.printf("| %s | FAILED: %s | | | | | | |%n", e.getKey(), String.join(" ", java.util.Arrays.copyOfRange(f, 3, f.length)));
                continue;
            }
            String[] g = c1.get(e.getKey());
            System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s |%n", e.getKey(), v(f, "graphs"),
                    d(f, "first_ms"), d(f, "frontend_ms"), d(f, "passes_ms"), d(f, "codegen_ms") + d(f, "load_ms"), d(f, "warm_ms"),
                    g == null || g[2].equals("FAILED") ? "-" : String.format(Locale.ROOT, "%.0f", d(g, "first_ms")));
        }
    }

    private static Map<String, String[]> read(Path p) throws IOException {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(p)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("compile")) m.put(f[1], f);
        }
        return m;
    }

    private static String v(String[] f, String name) {
        for (String s : f) if (s.startsWith(name + "=")) return s.substring(name.length() + 1);
        return "?";
    }

    private static double d(String[] f, String name) { return Double.parseDouble(v(f, name)); }
}
