package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import net.jqwik.api.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad programs give diagnostics, never exceptions: random well-formed models that call builtins
 * and operators with random arguments (wrong kinds, ranks, axes, dtypes) compile without
 * throwing, every error points at a line of the file, and what compiles verifies.
 */
class NoCrashPropertyTest {
    private static final List<String> FUNCTIONS = BuiltinTable.all().stream().map(Builtin::name)
            .filter(n -> !n.equals("error")).toList();
    private static final List<String> ATOMS = List.of("x", "y", "m", "k", "0", "1", "-1", "2", "3", "0.5", "-2.0", "true",
            "none", "\"same\"", "\"valid\"", "f32", "i32", "[2, 3]", "[-1]", "(0, 1)", "[(1, 1), (0, 2)]", "x.shape", "x.T",
            "fn(c, v) { (c, v) }", "fn(a) { a * 2 }", "B", "[]");
    private static final List<String> OPS = List.of("+", "-", "*", "/", "%", "**", "@", "<", "==", "and", "or");

    @Provide
    Arbitrary<String> programs() {
        Arbitrary<String> atom = Arbitraries.of(ATOMS);
        Arbitrary<String> call = Combinators.combine(Arbitraries.of(FUNCTIONS), atom.list().ofMaxSize(4),
                        Arbitraries.of("", "axis=1", "keepdims=true", "dtype=i32", "padding=\"same\"", "nope=1"))
                .as((f, args, kw) -> {
                    List<String> all = new ArrayList<>(args);
                    if (!kw.isEmpty()) all.add(kw);
                    return f + "(" + String.join(", ", all) + ")";
                });
        Arbitrary<String> binary = Combinators.combine(atom, Arbitraries.of(OPS), atom).as((a, op, b) -> a + " " + op + " " + b);
        Arbitrary<String> index = Combinators.combine(atom, Arbitraries.of("[0]", "[:, -1]", "[::-1]", "[..., 1:3]", "[k]", "[5, 5, 5]"))
                .as((a, i) -> a + i);
        Arbitrary<String> expr = Arbitraries.oneOf(call, binary, index, atom);
        return expr.list().ofMinSize(1).ofMaxSize(5).map(es -> {
            StringBuilder sb = new StringBuilder("model M {\n  input x: f32[B, 4]\n  input y: i32[B]\n  m = x > 0\n  k = 2\n");
            for (int i = 0; i < es.size(); i++) sb.append("  v").append(i).append(" = ").append(es.get(i)).append('\n');
            sb.append("  output o = v").append(es.size() - 1).append("\n}\n");
            return sb.toString();
        });
    }

    @Property
    void compilingNeverThrows(@ForAll("programs") String src) {
        Compilation c = assertDoesNotThrow(() -> TestSupport.compile(src, null, Map.of()), src);
        for (Diagnostic d : c.diagnostics()) {
            assertTrue(d.span().line() >= 1, () -> "diagnostic without a location: " + d + "\n" + src);
            assertFalse(d.message().isBlank());
        }
        assertEquals(c.ok(), c.module() != null, () -> src + "\n" + c.render());
        if (c.module() != null) TestSupport.checkIr(c.module());
    }
}
