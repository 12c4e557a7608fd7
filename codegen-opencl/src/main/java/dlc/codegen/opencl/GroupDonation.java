package dlc.codegen.opencl;

import dlc.ir.Value;

import java.util.Set;

/**
 * When a fusion group that runs as several kernels may write an UPDATE output over the input it
 * updates (donation), so a parameter's new value lands where the old one was and nothing is
 * copied. A training step's updates sit in such groups: a weight's after the GEMM of its gradient
 * (an {@code output} group), a bias's after the reduction of its gradient (an {@code input} group).
 *
 * <p>It is safe when the kernel that computes the update is the input's last reader and reads it
 * only at the element it writes: that kernel loads the input (one register per stored value, see
 * {@code GroupKernels}) while computing the update, before storing it, and every other value it
 * computes uses that register; the kernels before it read the old values, being earlier on the
 * in-order queue; no kernel after it reads the input. (The memory planner checks the rest: the
 * input is not read after the group, and every op reading it inside the group is elementwise over
 * its shape.) A GEMM's or convolution's store ({@link ClGroupPlan.Epilogue}) counts as such a
 * kernel when the product does not read the input (its tiles are read by other work-items than
 * the one storing an element): an optimizer's update after the GEMM of its weight's gradient. An
 * update computed in any other kind of step is not donated here: it is copied home on the device
 * instead, which is right but moves bytes.
 */
final class GroupDonation {
    private GroupDonation() {}

    /** Whether group {@code g} may store the outer value {@code update} over the outer input {@code input}. */
    static boolean lastReadByItsUpdate(ClGroupPlan g, Value update, Value input) {
        int at = -1;
        Value result = null;
        for (int k = 0; k < g.steps.size(); k++) {
            ClGroupPlan.Elementwise e = stored(g.steps.get(k));
            if (e != null)
                for (int t = 0; t < e.values().size(); t++)
                    if (e.homes().get(t) == update) {
                        if (at >= 0 || !e.computed().contains(e.values().get(t))) return false;
                        at = k;
                        result = e.values().get(t);
                    }
        }
        if (at < 0) return false;
        if (g.steps.get(at) instanceof ClGroupPlan.Epilogue ep)
            for (Value v : ep.anchor().inputs()) if (g.home.get(v) == input) return false;
        ClGroupPlan.Elementwise e = stored(g.steps.get(at));
        Value loaded = null;
        for (Value leaf : g.leaves(result, e.computed()))
            if (g.home.get(leaf) == input) {
                if (loaded != null) return false;
                loaded = leaf;
            }
        if (loaded == null || !loaded.type().shape().equals(e.space())) return false;
        for (Value v : e.values()) {
            if (!e.computed().contains(v)) {
                if (g.home.get(v) == input) return false;
                continue;
            }
            for (Value leaf : g.leaves(v, e.computed())) if (g.home.get(leaf) == input && leaf != loaded) return false;
        }
        for (int k = at + 1; k < g.steps.size(); k++) if (reads(g, g.steps.get(k), input)) return false;
        return true;
    }

    /** The values a step computes and stores element by element: an elementwise step's, or a GEMM's or convolution's store; else null. */
    private static ClGroupPlan.Elementwise stored(ClGroupPlan.Step s) {
        if (s instanceof ClGroupPlan.Elementwise e) return e;
        if (s instanceof ClGroupPlan.Epilogue ep) return ep.store();
        return null;
    }

    /** Whether {@code step} reads the memory of the outer input {@code input} (conservatively: any read through its expression; any step of another kind). */
    private static boolean reads(ClGroupPlan g, ClGroupPlan.Step step, Value input) {
        if (step instanceof ClGroupPlan.Elementwise e) {
            for (Value v : e.values()) {
                if (!e.computed().contains(v)) {
                    if (g.home.get(v) == input) return true;
                    continue;
                }
                for (Value leaf : g.leaves(v, e.computed())) if (g.home.get(leaf) == input) return true;
            }
            return false;
        }
        if (step instanceof ClGroupPlan.Reduce r) {
            Value x = r.node().input(0);
            if (g.home.get(x) == input) return true;
            for (Value leaf : g.leaves(x, Set.of())) if (g.home.get(leaf) == input) return true;
            return false;
        }
        if (step instanceof ClGroupPlan.Epilogue ep) {
            for (Value v : ep.anchor().inputs()) if (g.home.get(v) == input) return true;
            return reads(g, ep.store(), input);
        }
        if (step instanceof ClGroupPlan.Call c) {
            for (Value v : c.node().inputs()) if (g.home.get(v) == input) return true;
            return false;
        }
        return true; // a kind of step this rule does not know: assume it reads everything
    }
}
