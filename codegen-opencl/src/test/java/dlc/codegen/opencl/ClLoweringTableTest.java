package dlc.codegen.opencl;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The OpenCL lowering table has an entry for every op, with no exception list; ops without a kernel fail loudly. */
class ClLoweringTableTest {
    @Test void everyOpHasAnEntry() {
        List<String> missing = new ArrayList<>();
        for (OpDef op : Ops.all()) if (!ClLoweringTable.has(op)) missing.add(op.name());
        assertEquals(List.of(), missing, "ops without an OpenCL lowering");
        assertEquals(Ops.all().size(), ClLoweringTable.ops().size());
    }

    /** Every op has a kernel now: scan and resize, the last ones without, generate their kernels. */
    @Test void noOpIsRefusedAsAWhole() {
        assertEquals(java.util.Set.of(), ClLoweringTable.notYet());
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", new TensorType(DType.F32, Shape.of(1, 1, 4, 4)), Value.Role.INPUT);
        Value y = b.op(Ops.RESIZE, Attrs.of("size", List.of(8L, 8L), "mode", "bilinear"), x);
        b.output("y", Graph.Output.Role.OUTPUT, y);
        String src = ClCompiledGraph.source(b.build());
        assertTrue(src.contains("// resize (bilinear)"), src);
    }

    /** Integer division is inline, through its helper with the kernel's error word (a zero divisor is reported after the run). */
    @Test void integerDivisionIsInlineWithAnErrorWord() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", new TensorType(DType.I32, Shape.of(3)), Value.Role.INPUT);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.DIV, x, x));
        String src = ClCompiledGraph.source(b.build());
        assertTrue(src.contains("dlc_i32(dlc_floordiv((long)(") && src.contains("E + oE, 0)"), src);
        assertTrue(src.contains("__global int* E, long oE) {"), src);
    }

    /** f16 values are doubles, as on the JVM; a cast to f16 rounds through the dlc_f16 helper. */
    @Test void halfValuesAreDoublesRoundedAtCasts() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", new TensorType(DType.F32, Shape.of(3)), Value.Role.INPUT);
        Value h = b.op(Ops.CAST, dlc.ir.Attrs.of("dtype", DType.F16), x);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.ADD, h, h));
        String src = ClCompiledGraph.source(b.build());
        assertTrue(src.contains("dlc_f16((double)("), src);
        assertTrue(src.contains("double v"), src);
    }

    @Test void theSourceOfAFusedGroupIsOneKernel() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", new TensorType(DType.F32, new Shape(List.of(Dim.sym("B"), Dim.of(4)))), Value.Role.INPUT);
        Value w = b.input("w", new TensorType(DType.F32, Shape.of(4)), Value.Role.PARAM);
        b.output("y", Graph.Output.Role.OUTPUT, b.op(Ops.TANH, b.op(Ops.MUL, b.op(Ops.ADD, x, w), x)));
        Graph g = dlc.passes.PassManager.standard().run(b.build());
        String src = ClCompiledGraph.source(g);
        assertEquals(1, src.split("__kernel void ").length - 1, src);
        assertTrue(src.contains("tanh("), src);
        assertFalse(src.substring(src.indexOf("__kernel")).contains("double"), "an f32 group computes in float:\n" + src);
    }
}
