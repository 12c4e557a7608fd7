package dlc.cli.fuzz;

import dlc.cli.Toolchain;
import dlc.cli.UserError;
import dlc.frontend.Compilation;
import dlc.frontend.Compiler;
import dlc.frontend.lower.FileParser;
import dlc.frontend.parse.ParseResult;
import dlc.frontend.parse.SourceParser;
import dlc.frontend.lower.SourceProvider;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Node;
import dlc.ir.Value;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The standard toolchain, with some std modules' text replaced (mutated stdlib sources), and a
 * cap on the size of what runs: a model whose tensors at the default sizes (B = 2, other dims 8)
 * hold more than {@link #MAX_ELEMENTS} elements is refused with a UserError (exit 1), so a
 * mutant that asks for a 30000 x 30000 weight does not spend the test's time and heap. Holds
 * the last compilation for the caller's own checks.
 */
final class FuzzToolchain implements Toolchain {
    static final long MAX_ELEMENTS = 4_000_000;

    private final Toolchain standard = Toolchain.standard();
    /** The std modules replaced in the next compilations, by resource path ("std/nn.dl"). */
    Map<String, String> stdOverrides = Map.of();
    Compilation last;
    /** Parses of files by name and text: the stdlib's modules are read by every run, and parsing them is most of a run. */
    private final Map<List<String>, FileParser.Parsed> parses = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<List<String>, FileParser.Parsed> e) { return size() > 64; }
    };
    private final FileParser parser = (fileName, text) -> parses.computeIfAbsent(List.of(fileName, text), k -> {
        ParseResult r = SourceParser.parse(fileName, text);
        return new FileParser.Parsed(r.program(), r.diagnostics());
    });

    @Override public Compilation compile(Path file, String model, Map<String, String> params) throws IOException {
        SourceProvider std = SourceProvider.standard();
        SourceProvider provider = (module, importing) -> {
            String rel = String.join("/", module) + ".dl";
            String text = stdOverrides.get(rel);
            if (text != null) return Optional.of(new SourceProvider.Source(rel, "fuzz:" + rel, text));
            return std.find(module, importing);
        };
        last = Compiler.compile(file.toString(), Files.readString(file), model, params, Map.of(), provider, parser);
        if (last.module() != null && elements(last.module()) > MAX_ELEMENTS)
            throw new UserError("fuzz: the model's tensors are too large to run in a test");
        return last;
    }

    /** Elements of every value of every graph at B = 2 and every other dim 8 (unknown sizes count as too large). */
    static long elements(Module m) {
        long total = 0;
        for (Graph g : m.graphs()) {
            List<Value> values = new ArrayList<>(g.inputs());
            for (Node n : g.nodes()) values.addAll(n.outputs());
            for (Value v : values) {
                Map<String, Long> dims = new HashMap<>();
                for (String s : v.type().shape().symbols()) dims.put(s, s.equals("B") ? 2L : 8L);
                long n = 1;
                try {
                    for (var d : v.type().shape().dims()) n = Math.multiplyExact(n, Math.max(0, d.eval(dims)));
                    total = Math.addExact(total, n);
                } catch (ArithmeticException tooLarge) {
                    return Long.MAX_VALUE;
                }
            }
        }
        return total;
    }

    @Override public String print(Module module) { return standard.print(module); }

    @Override public String print(Graph graph) { return standard.print(graph); }

    @Override public Module runPasses(Module module, String pipeline, String after) { return standard.runPasses(module, pipeline, after); }
}
