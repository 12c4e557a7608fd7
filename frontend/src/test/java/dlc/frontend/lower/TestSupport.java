package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.Graph;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** Compiles sources held in memory (main file plus modules by dotted name) and runs their graphs. */
final class TestSupport {
    private TestSupport() {}

    /** Modules by dotted name ("models.blocks"), found before the classpath's std modules. */
    static SourceProvider provider(Map<String, String> modules) {
        SourceProvider std = SourceProvider.standard();
        return (module, importing) -> {
            String name = String.join(".", module);
            if (modules.containsKey(name))
                return Optional.of(new SourceProvider.Source(String.join("/", module) + ".dl", "mem:" + name, modules.get(name)));
            return std.find(module, importing);
        };
    }

    static Compilation compile(String src) { return compile(src, null, Map.of()); }

    static Compilation compile(String src, String model, Map<String, String> modules) {
        return Frontend.compileSource("test.dl", src, model, provider(modules));
    }

    /** Compiles and fails the test with the rendered diagnostics when there are errors. */
    static Compilation ok(String src) { return ok(src, Map.of()); }

    static Compilation ok(String src, Map<String, String> modules) {
        Compilation c = compile(src, null, modules);
        assertTrue(c.ok(), () -> "expected no errors, got:\n" + c.render());
        assertNotNull(c.module(), "a model lowered without errors has a module");
        checkIr(c.module());
        return c;
    }

    /** Every module the frontend makes verifies and survives a print / parse round trip of its text form. */
    static void checkIr(dlc.ir.Module m) {
        dlc.ir.Verifier.verify(m);
        String text = dlc.ir.text.IrPrinter.print(m);
        dlc.ir.Module back = dlc.ir.text.IrParser.parseModule(text);
        assertEquals(Optional.empty(), dlc.ir.GraphEquivalence.difference(m, back), text);
    }

    /** Compiles, expecting errors; returns the rendered diagnostics. */
    static String errors(String src) {
        Compilation c = compile(src);
        assertFalse(c.ok(), "expected errors");
        assertNull(c.module());
        return c.render();
    }

    static Graph graph(Compilation c, String name) { return c.module().graph(name).orElseThrow(); }

    static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) { return Interpreter.run(g, inputs); }

    static Tensor t(int[] shape, double... data) { return Tensor.of(shape, data).withDType(dlc.ir.DType.F32); }

    static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertFalse(Double.isNaN(actual[i]), "NaN at " + i);
            assertEquals(expected[i], actual[i], tol, "at " + i + ": " + Arrays.toString(actual));
        }
    }
}
