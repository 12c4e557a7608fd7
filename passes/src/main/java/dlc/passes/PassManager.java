package dlc.passes;

import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Verifier;

import java.util.*;
import java.util.function.BiConsumer;

/**
 * Runs a pipeline of passes in order and verifies the IR after each one, so a pass that breaks an
 * invariant is named at once instead of failing somewhere later. It can stop after any named pass
 * and return the IR at that point ({@code dlc ir --after shape-inference}).
 *
 * <p>Pipeline text: pass names separated by commas, each with optional options in braces, e.g.
 * {@code shape-inference{B=32, T=8}}.
 */
public final class PassManager {
    private final List<Pass> passes;

    public PassManager(List<Pass> passes) { this.passes = List.copyOf(passes); }

    public static PassManager of(Pass... passes) { return new PassManager(List.of(passes)); }

    /**
     * The pipeline {@code dlc} runs by default: shape inference with every symbol left symbolic,
     * simplification to a fixed point, fusion of what is left, then rematerialization of the values
     * groups would store only for another group to read.
     */
    public static PassManager standard() {
        return PassManager.of(new ShapeInference(), Passes.create("simplify", Map.of()), Passes.create("fusion", Map.of()),
                Passes.create("remat", Map.of()));
    }

    /** Builds the pipeline described by {@code pipeline} (see the class comment) from {@link Passes}. */
    public static PassManager parse(String pipeline) {
        List<Pass> out = new ArrayList<>();
        for (String entry : splitTopLevel(pipeline, ',')) {
            String e = entry.strip();
            if (e.isEmpty()) continue;
            int brace = e.indexOf('{');
            String name = (brace < 0 ? e : e.substring(0, brace)).strip();
            Map<String, String> options = new LinkedHashMap<>();
            if (brace >= 0) {
                if (!e.endsWith("}")) throw new IllegalArgumentException("pass options of '" + name + "' must end with '}': " + e);
                for (String kv : splitTopLevel(e.substring(brace + 1, e.length() - 1), ',')) {
                    if (kv.isBlank()) continue;
                    int eq = kv.indexOf('=');
                    if (eq < 0) throw new IllegalArgumentException("pass option '" + kv.strip() + "' of " + name + " must be key=value");
                    options.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
                }
            }
            out.add(Passes.create(name, options));
        }
        return new PassManager(out);
    }

    private static List<String> splitTopLevel(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (c == sep && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    public List<Pass> passes() { return passes; }

    public List<String> passNames() { return passes.stream().map(Pass::name).toList(); }

    /** Runs every pass, verifying after each; returns the final module. */
    public Module run(Module module) { return run(module, (p, m) -> { }); }

    /** As {@link #run(Module)}, handing the IR after each pass to {@code afterEach} (for dumps and timing). */
    public Module run(Module module, BiConsumer<Pass, Module> afterEach) {
        Module m = module;
        for (Pass p : passes) {
            m = runOne(p, m);
            afterEach.accept(p, m);
        }
        return m;
    }

    /** Runs every pass on a single graph, verifying after each. */
    public Graph run(Graph graph) {
        Graph g = graph;
        for (Pass p : passes) {
            g = p.run(g);
            check(p, Verifier.check(g));
        }
        return g;
    }

    /**
     * Runs the pipeline up to and including the first pass called {@code passName} and returns the
     * IR after it. Throws IllegalArgumentException listing the pipeline's passes when none has that name.
     */
    public Module runUntil(Module module, String passName) {
        int last = indexOf(passName);
        Module m = module;
        for (Pass p : passes.subList(0, last + 1)) m = runOne(p, m);
        return m;
    }

    /** As {@link #runUntil(Module, String)} for one graph ({@code dlc ir --after PASS}). */
    public Graph runUntil(Graph graph, String passName) {
        int last = indexOf(passName);
        Graph g = graph;
        for (Pass p : passes.subList(0, last + 1)) {
            g = p.run(g);
            check(p, Verifier.check(g));
        }
        return g;
    }

    private int indexOf(String passName) {
        int i = passNames().indexOf(passName);
        if (i < 0)
            throw new IllegalArgumentException("no pass '" + passName + "' in this pipeline; its passes: "
                    + (passes.isEmpty() ? "(none)" : String.join(", ", passNames()))
                    + "; known passes: " + String.join(", ", Passes.names()));
        return i;
    }

    private static Module runOne(Pass p, Module m) {
        Module out = p.run(m);
        check(p, Verifier.check(out));
        return out;
    }

    private static void check(Pass p, List<String> problems) {
        if (!problems.isEmpty())
            throw new IllegalStateException("pass " + p.name() + " produced invalid IR:\n  " + String.join("\n  ", problems));
    }
}
