package dlc.ir.ops;

/**
 * Movement ops: they move, repeat or select elements without arithmetic (scatter_add adds).
 * Grouped by what they do: {@link MovementLayoutOps} (reshape, permute, broadcast_to),
 * {@link MovementSliceOps} (slice, pad, reverse, concat), {@link MovementIndexOps} (gather,
 * scatter_add) and {@link MovementSourceOps} (constant, iota). Axes are non-negative in the IR
 * (the frontend normalizes negative ones); shape-valued attributes may hold symbols, resolved at
 * run time through {@link dlc.ir.eval.EvalContext#resolve}. Fusion kinds: broadcast_to is
 * BROADCAST, scatter_add OPAQUE (it accumulates), every other one INJECTIVE.
 *
 * <p>Gradients (each op's {@code vjp}, built from these same ops so they differentiate again):
 * reshape, permute and reverse undo the movement; broadcast_to sums over the broadcast axes;
 * slice puts the cotangent back among zeros (pad, or an iota-indexed scatter_add for steps above 1
 * and symbolic margins); pad and concat slice it; gather scatter-adds it and scatter_add gathers
 * it; indices get none; constant and iota have no operands.
 */
public final class MovementOps {
    private MovementOps() {}
}
