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
 * its shape.) The kernel may be a GEMM or convolution whose store computes the group (an
 * epilogue): each output element is stored once, by the work-item that evaluates the epilogue
 * there, so the same holds, provided the GEMM itself does not read the input. An update computed
 * in any other kind of step is not donated: it is copied home on the device instead.
 */
final class GroupDonation {
    private GroupDonation() {}

    /** Whether group {@code g} may store the outer value {@code update} over the outer input {@code input}. */
    static boolean lastReadByItsUpdate(ClGroupPlan g, Value update, Value input) {
        int at = -1;
        Value result = null;
        ClGroupPlan.Elementwise e = null;
        for (int k = 0; k < g.steps.size(); k++) {
            ClGroupPlan.Elementwise s = computed(g.steps.get(k));
            if (s == null) continue;
            for (int t = 0; t < s.values().size(); t++)
                if (s.homes().get(t) == update) {
                    if (at >= 0 || !s.computed().contains(s.values().get(t))) return false;
                    at = k;
                    result = s.values().get(t);
                    e = s;
                }
        }
        if (at < 0) return false;
        // a GEMM whose store computes the update must not read the input: other work-groups would see new values
        if (g.steps.get(at) instanceof ClGroupPlan.Epilogue ep)
            for (Value v : ep.anchor().inputs()) if (g.home.get(v) == input) return false;
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

    /** The elementwise computation of {@code step}: itself, a GEMM's store (an epilogue), or null. */
    private static ClGroupPlan.Elementwise computed(ClGroupPlan.Step step) {
        if (step instanceof ClGroupPlan.Elementwise e) return e;
        if (step instanceof ClGroupPlan.Epilogue ep) return ep.store();
        return null;
    }

    /** Whether {@code step} reads the memory of the outer input {@code input} (conservatively: any read through its expression; any step of another kind). */
    private static boolean reads(ClGroupPlan g, ClGroupPlan.Step step, Value input) {
        if (step instanceof ClGroupPlan.Epilogue ep) {
            for (Value v : ep.anchor().inputs()) if (g.home.get(v) == input) return true;
            return reads(g, ep.store(), input);
        }
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
        if (step instanceof ClGroupPlan.Call c) {
            for (Value v : c.node().inputs()) if (g.home.get(v) == input) return true;
            return false;
        }
        return true; // a kind of step this rule does not know: assume it reads everything
    }
}
