package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.passes.memory.ElementStorage;
import dlc.passes.memory.Materialization;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the OpenCL backend tells the memory planner: f32 values take 4 bytes, every other dtype 8
 * (stored as double, {@link ClTypes}); the table's aliases at top level are views; a fusion group
 * stores its {@link ClGroupPlan} temporaries; a result may be written over an operand only by a
 * node that runs as one elementwise kernel reading that operand element by element (each
 * work-item reads an element before writing the same element), and likewise for donated updates,
 * which a group of several kernels may also take when the kernel computing the update is the
 * input's last, aligned reader ({@link GroupDonation}).
 */
final class ClMaterialization implements Materialization {
    static final ElementStorage STORAGE = new ElementStorage() {
        @Override public String kind(DType d) { return d == DType.F32 ? "float" : "double"; }

        @Override public long elementBytes(DType d) { return d == DType.F32 ? 4 : 8; }

        @Override public String toString() { return "opencl"; }
    };

    private final Map<Node, ClGroupPlan> groups = new IdentityHashMap<>();

    @Override public ElementStorage storage() { return STORAGE; }

    /** Every alias of the table is a view at top level (stop_gradient reads through only inside a kernel). */
    @Override public boolean isView(Node n) {
        return ClLoweringTable.of(n).accept(n, new ClLoweringTable.Kinds<>(false) {
            @Override public Boolean alias(Node m, ClLowering.Alias how) { return true; }
        });
    }

    ClGroupPlan group(Node fusion) { return groups.computeIfAbsent(fusion, ClGroupPlan::of); }

    @Override public List<Value> temporaries(Node n) { return n.op() == Ops.FUSION ? group(n).temporaries() : List.of(); }

    @Override public boolean mayWriteInPlace(Node n, Value result, Value operand) { return alignedSingleKernel(n, operand); }

    @Override public boolean mayDonate(Node n, Value update, Value input, boolean readByNode) {
        if (!readByNode || alignedSingleKernel(n, input)) return true;
        return n.op() == Ops.FUSION && Materialization.alignedReader(n, input) && GroupDonation.lastReadByItsUpdate(group(n), update, input);
    }

    private boolean alignedSingleKernel(Node n, Value operand) {
        if (n.op() == Ops.FUSION) return group(n).singleKernel() && Materialization.alignedReader(n, operand);
        return n.regions().isEmpty() && ClGroupPlan.role(n) == ClGroupPlan.Role.INLINE && Materialization.alignedReader(n, operand);
    }
}
