package dlc.codegen.opencl;

import dlc.passes.memory.MemoryPlan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device arena laid out by the memory plan, the same plan the JVM backend and {@code dlc stats}
 * use: each slot of the plan is a slice at the plan's offset (values that are never live at once
 * share a slot), followed by ranges for what the plan leaves outside its arena (the graph inputs,
 * which on a device must be copied in somewhere).
 */
public final class PlanArenas {
    private PlanArenas() {}

    /** The slice name of a plan's slot. */
    public static String slotName(MemoryPlan.Slot slot) { return "slot " + slot.index(); }

    /**
     * The plan's slots at their offsets, then {@code extra} ranges packed after them. The plan must
     * be laid out with an alignment that is a multiple of {@link ArenaLayout#ALIGN}.
     */
    public static ArenaLayout layout(MemoryPlan.Layout plan, Map<String, Long> extra) {
        if (plan.alignment() % ArenaLayout.ALIGN != 0)
            throw new IllegalArgumentException("lay the memory plan out with an alignment that is a multiple of " + ArenaLayout.ALIGN
                    + " bytes for a device arena, not " + plan.alignment());
        Map<String, ArenaLayout.Slice> slices = new LinkedHashMap<>();
        for (MemoryPlan.Slot s : plan.plan().slots())
            slices.put(slotName(s), new ArenaLayout.Slice(slotName(s), plan.slotOffset()[s.index()], plan.slotBytes()[s.index()]));
        long at = align(plan.arenaBytes());
        for (Map.Entry<String, Long> e : extra.entrySet()) {
            if (slices.containsKey(e.getKey())) throw new IllegalArgumentException("range '" + e.getKey() + "' has a slot's name");
            slices.put(e.getKey(), new ArenaLayout.Slice(e.getKey(), at, e.getValue()));
            at = align(Math.addExact(at, e.getValue()));
        }
        return new ArenaLayout(Math.max(at, ArenaLayout.ALIGN), slices);
    }

    private static long align(long n) { return Math.addExact(n, ArenaLayout.ALIGN - 1) / ArenaLayout.ALIGN * ArenaLayout.ALIGN; }
}
