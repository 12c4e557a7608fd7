package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.runtime.Gemm;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JVM backend's lowering table covers every op (no exception list: an op that cannot reach the
 * backend still needs an entry that says so), its entries fit what the rest of the compiler does
 * with the op, and the backend's decisions come from it.
 */
class LoweringTableTest {
    @Test
    void everyOpHasAnEntry() {
        for (OpDef op : Ops.all()) assertTrue(LoweringTable.has(op), "the JVM lowering table has no entry for op " + op.name());
        for (OpDef op : LoweringTable.ops()) assertSame(op, Ops.get(op.name()), "an entry for an op outside Ops.all(): " + op.name());
    }

    /** Fusion puts elementwise ops in loop nests: the nest must be able to evaluate every one of them. */
    @Test
    void everyElementwiseOpHasInlineCode() {
        for (OpDef op : Ops.all())
            if (op.kind() == OpDef.Kind.ELEMENTWISE)
                assertNotNull(LoweringTable.get(op).inlineCode(), "elementwise op " + op.name() + " has no inline code");
    }

    /** Ops holding graphs are regions, and only they are. */
    @Test
    void opsWithRegionsAreRegions() {
        for (OpDef op : Ops.all())
            assertEquals(op.regionCount() > 0, LoweringTable.get(op) instanceof Lowering.Region, op.name());
    }

    /**
     * The alias entries are exactly the ops with the ALIAS trait (the result is the operand's
     * elements in order): an alias entry on another op would give it its operand's storage
     * (StoragePlan and the memory plan read the entry) and a wrong result, and an ALIAS op lowered
     * otherwise copies for nothing.
     */
    @Test
    void aliasEntriesAreTheAliasOps() {
        for (OpDef op : Ops.all())
            assertEquals(op.is(OpTrait.ALIAS), LoweringTable.get(op) instanceof Lowering.Alias,
                    op.name() + ": ALIAS trait " + op.is(OpTrait.ALIAS) + ", entry " + LoweringTable.get(op));
    }

    /** The ops a matmul/conv epilogue fuses, read from the table (GroupPlan's activation codes). */
    @Test
    void epilogueActivationsAndAnchorsComeFromTheTable() {
        assertEquals(Gemm.ACT_RELU, LoweringTable.get(Ops.RELU).epilogueActivation());
        assertEquals(Gemm.ACT_TANH, LoweringTable.get(Ops.TANH).epilogueActivation());
        assertEquals(Gemm.ACT_SIGMOID, LoweringTable.get(Ops.SIGMOID).epilogueActivation());
        assertEquals(Gemm.ACT_NONE, LoweringTable.get(Ops.EXP).epilogueActivation());
        assertNotNull(((Lowering.KernelCall) LoweringTable.get(Ops.MATMUL)).epilogue());
        assertNotNull(((Lowering.KernelCall) LoweringTable.get(Ops.CONV2D)).epilogue());
        assertNull(((Lowering.KernelCall) LoweringTable.get(Ops.CONV_TRANSPOSE2D)).epilogue());
    }

    /** Per-node entries choose by the node: VecMath for f32, inline otherwise; splat constants inline. */
    @Test
    void rolesInAGroupFollowTheEntries() {
        GraphBuilder b = new GraphBuilder("g");
        Value x32 = b.input("x", new TensorType(DType.F32, Shape.of(Dim.of(4))), Value.Role.INPUT);
        Value x64 = b.input("y", new TensorType(DType.F64, Shape.of(Dim.of(4))), Value.Role.INPUT);
        Node exp32 = b.op(Ops.EXP, x32).producer(), exp64 = b.op(Ops.EXP, x64).producer();
        Node reshape = b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(Dim.of(2), Dim.of(2))), x32).producer();
        Node stop = b.op(Ops.STOP_GRADIENT, x32).producer();
        Node sum = b.op(Ops.SUM, Attrs.of("axes", List.of(0L), "keepdims", false), x32).producer();
        Node splat = b.op(Ops.CONSTANT, Attrs.of("dtype", DType.F32, "shape", Shape.of(Dim.of(4)), "values", List.of(2.0)))
                .producer();
        Node dense = b.op(Ops.CONSTANT, Attrs.of("dtype", DType.F32, "shape", Shape.of(Dim.of(2)), "values", List.of(1.0, 2.0)))
                .producer();
        assertEquals(GroupPlan.Role.LOWERED, GroupPlan.role(exp32));
        assertEquals(GroupPlan.Role.INLINE, GroupPlan.role(exp64));
        assertEquals(GroupPlan.Role.ALIAS, GroupPlan.role(reshape));
        assertEquals(GroupPlan.Role.INLINE, GroupPlan.role(stop), "stop_gradient is read straight through in a nest");
        assertTrue(StoragePlan.isAlias(stop), "stop_gradient is a view at top level");
        assertEquals(GroupPlan.Role.REDUCE, GroupPlan.role(sum));
        assertEquals(GroupPlan.Role.INLINE, GroupPlan.role(splat));
        assertEquals(GroupPlan.Role.LOWERED, GroupPlan.role(dense));
    }

    /** An op without an entry fails loudly at compile time, naming the op and where it is. */
    @Test
    void anOpWithoutAnEntryFailsNamingIt() {
        OpDef unknown = new OpDef("not_in_the_table", OpDef.Kind.OPAQUE) {
            @Override public List<TensorType> infer(List<TensorType> inputs, Attrs attrs, List<Graph> regions) { return inputs; }

            @Override public Tensor[] eval(Tensor[] inputs, Attrs attrs, List<Graph> regions, EvalContext ctx) { return inputs; }
        };
        GraphBuilder b = new GraphBuilder("g").at(new SourceLoc("m.dl", 3, 7));
        Value x = b.input("x", new TensorType(DType.F32, Shape.of(Dim.of(4))), Value.Role.INPUT);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(unknown, x));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> JvmCompiler.generate(b.build(), "dlc.gen.G"));
        assertTrue(e.getMessage().contains("no lowering for op not_in_the_table") && e.getMessage().contains("m.dl:3:7"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> LoweringTable.get(unknown));
    }
}
