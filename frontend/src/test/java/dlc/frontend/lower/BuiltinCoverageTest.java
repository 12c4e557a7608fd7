package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The language exposes ops by trait, with no list to keep: every op with a builtin trait (unary
 * math, binary arithmetic, reduction, select, cast) is a builtin named after it, and every
 * comparison and logic op is an operator. Walks {@link Ops#all()}, so a new op with one of these
 * traits fails here unless .dl code can call it, and calling it emits that op.
 */
class BuiltinCoverageTest {
    /** Traits whose ops are builtins {@code op(...)} named after the op. */
    private static final Set<OpTrait> AS_BUILTIN = EnumSet.of(OpTrait.UNARY, OpTrait.ARITHMETIC, OpTrait.REDUCTION,
            OpTrait.SELECT, OpTrait.CAST);
    /** Traits whose ops are written as operators ({@code <}, {@code and}, {@code not}). */
    private static final Set<OpTrait> AS_OPERATOR = EnumSet.of(OpTrait.COMPARISON, OpTrait.LOGIC);

    private static final Tensor X = new Tensor(DType.F32, new int[]{4}, new double[]{0.25, -1.5, 2.0, 0.75});
    private static final Tensor Y = new Tensor(DType.F32, new int[]{4}, new double[]{1.5, 0.5, -3.0, 0.75});

    private static boolean has(OpDef op, Set<OpTrait> traits) { return op.traits().stream().anyMatch(traits::contains); }

    @Test
    void everyOpWithABuiltinTraitIsABuiltinThatEmitsIt() {
        Map<String, Builtin> table = new HashMap<>();
        for (Builtin b : BuiltinTable.all()) table.put(b.name(), b);
        int checked = 0;
        for (OpDef op : Ops.all()) {
            if (!has(op, AS_BUILTIN)) continue;
            Builtin b = table.get(op.name());
            assertNotNull(b, "op " + op + " has a builtin trait " + op.traits() + " but no builtin named after it");
            assertSame(op, b.op(), "builtin " + b.name() + " stands for another op");
            Graph eval = evalGraph(op, call(op));
            assertTrue(eval.nodes().stream().anyMatch(n -> n.op() == op), () -> call(op) + " emits no " + op + ":\n" + eval);
            checked++;
        }
        assertTrue(checked >= 30, "only " + checked + " ops have builtin traits"); // the walk saw the elementwise ops
    }

    /**
     * The builtin list of docs/language.md is prose kept by hand: every op that is a builtin by
     * trait must be named there, in a code span of the Builtins section, so that adding an op
     * without its line in the docs fails here.
     */
    @Test
    void docsLanguageNamesEveryBuiltinOp() throws java.io.IOException {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "language.md"));
        int from = doc.indexOf("\n## Builtins"), to = doc.indexOf("\n## ", from + 1);
        assertTrue(from >= 0, "docs/language.md has a Builtins section");
        Set<String> named = new HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([^`]*)`").matcher(doc.substring(from, to < 0 ? doc.length() : to));
        while (m.find()) named.addAll(Arrays.asList(m.group(1).split("[^A-Za-z0-9_]+")));
        for (OpDef op : Ops.all())
            if (has(op, AS_BUILTIN)) assertTrue(named.contains(op.name()), "docs/language.md's Builtins section does not name builtin " + op.name());
    }

    /** Unary math and binary arithmetic builtins compute exactly what their op computes. */
    @Test
    void derivedElementwiseBuiltinsAgreeWithTheirOp() {
        for (OpDef op : Ops.all()) {
            boolean unary = op.is(OpTrait.UNARY);
            if (!unary && !op.is(OpTrait.ARITHMETIC)) continue;
            Tensor got = run(evalGraph(op, call(op)), Map.of("x", X, "y", Y)).get("z");
            Tensor want = op.eval(unary ? new Tensor[]{X} : new Tensor[]{X, Y}, Attrs.EMPTY, List.of(), null)[0];
            assertArrayEquals(want.shape(), got.shape(), op.name());
            for (int i = 0; i < want.data().length; i++)
                assertEquals(want.data()[i], got.data()[i], 0, op.name() + " element " + i); // same reference semantics: exact (NaN equals NaN)
        }
    }

    @Test
    void everyComparisonAndLogicOpIsAnOperatorThatEmitsIt() {
        int checked = 0;
        for (OpDef op : Ops.all()) {
            if (!has(op, AS_OPERATOR)) continue;
            String expr;
            if (Operators.UNARY_TENSOR_OPS.containsValue(op)) expr = symbol(Operators.UNARY_TENSOR_OPS, op) + " (x > y)";
            else {
                assertTrue(Operators.TENSOR_OPS.containsValue(op), "op " + op + " has trait " + op.traits() + " but no operator");
                String s = symbol(Operators.TENSOR_OPS, op);
                expr = op.is(OpTrait.LOGIC) ? "(x > y) " + s + " (y > x)" : "x " + s + " y";
            }
            String e = expr;
            Graph eval = evalGraph(op, e);
            assertTrue(eval.nodes().stream().anyMatch(n -> n.op() == op), () -> e + " emits no " + op + ":\n" + eval);
            checked++;
        }
        assertTrue(checked >= 9, "only " + checked + " comparison and logic ops");
    }

    /** A builtin named after an op stands for that op (max is the reduction max, not another op). */
    @Test
    void builtinsNamedAfterAnOpStandForIt() {
        Map<String, Builtin> table = new HashMap<>();
        for (Builtin b : BuiltinTable.all()) table.put(b.name(), b);
        for (OpDef op : Ops.all()) {
            Builtin b = table.get(op.name());
            if (b != null && b.op() != null) assertSame(op, b.op(), b.name());
        }
        for (Builtin b : BuiltinTable.all())
            if (b.op() != null) assertEquals(b.op().name(), b.name(), "a builtin that stands for an op is named after it");
    }

    /** The call of op's builtin on the model's inputs x and y, written by trait. */
    private static String call(OpDef op) {
        if (op.is(OpTrait.UNARY) || op.is(OpTrait.REDUCTION)) return op.name() + "(x)";
        if (op.is(OpTrait.ARITHMETIC)) return op.name() + "(x, y)";
        if (op.is(OpTrait.SELECT)) return op.name() + "(x > y, x, y)";
        if (op.is(OpTrait.CAST)) return op.name() + "(x, f64)";
        throw new AssertionError("no call form for " + op + " " + op.traits());
    }

    private static String symbol(Map<String, OpDef> table, OpDef op) {
        for (Map.Entry<String, OpDef> e : table.entrySet()) if (e.getValue() == op) return e.getKey();
        throw new AssertionError(op.name());
    }

    private static Graph evalGraph(OpDef op, String expr) {
        Compilation c = ok("model M {\n  input x: f32[4]\n  input y: f32[4]\n  output z = " + expr + "\n}\n");
        return graph(c, "eval");
    }
}
