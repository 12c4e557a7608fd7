package dlc.codegen.jvm;

import dlc.ir.Dim;
import dlc.ir.Value;
import dlc.runtime.Movement;

import java.util.ArrayList;
import java.util.List;

/**
 * One call of {@link Movement#copy}: for every index c of {@code dims},
 * {@code dst[dstBase + sum c[a]*dstStrides[a]] = src[srcBase + sum c[a]*srcStrides[a]]}, with
 * every quantity a (possibly symbolic) dim. The movement lowerings differ only in how they build
 * it; {@link #coalesced} then drops axes of literal size 1 and merges adjacent axes that are
 * contiguous on both sides, so a permute of [B, T, H, D] by [0, 2, 1, 3] copies rows of D and
 * a 2-D transpose reaches the kernel's tiled path. Merging is decided on dims as polynomials,
 * so it holds for every binding of the symbols.
 */
record StridedCopy(List<Dim> dims, List<Dim> srcStrides, Dim srcBase, List<Dim> dstStrides, Dim dstBase) {
    StridedCopy {
        dims = List.copyOf(dims);
        srcStrides = List.copyOf(srcStrides);
        dstStrides = List.copyOf(dstStrides);
        if (srcStrides.size() != dims.size() || dstStrides.size() != dims.size())
            throw new IllegalArgumentException("strided copy needs one stride per dim: " + dims + ", " + srcStrides + ", " + dstStrides);
    }

    /** The same copy over fewer axes: literal 1s dropped, contiguous neighbours merged. */
    StridedCopy coalesced() {
        List<Dim> d = new ArrayList<>(), s = new ArrayList<>(), t = new ArrayList<>();
        for (int a = 0; a < dims.size(); a++) {
            Dim n = dims.get(a);
            if (n.equals(Dim.of(1))) continue;
            int last = d.size() - 1;
            // the previous axis steps exactly over this whole axis on both sides: one axis
            if (last >= 0 && s.get(last).equals(srcStrides.get(a).times(n)) && t.get(last).equals(dstStrides.get(a).times(n))) {
                d.set(last, d.get(last).times(n));
                s.set(last, srcStrides.get(a));
                t.set(last, dstStrides.get(a));
                continue;
            }
            d.add(n);
            s.add(srcStrides.get(a));
            t.add(dstStrides.get(a));
        }
        return new StridedCopy(d, s, srcBase, t, dstBase);
    }

    /** Emits {@code Movement.copy(src, srcOff + srcBase, srcStrides, dst, dstOff + dstBase, dstStrides, dims)}. */
    void emit(KernelEmitter e, Value src, Value dst) {
        StridedCopy c = coalesced();
        KernelArgs.at(e, src, c.srcBase);
        KernelArgs.ints(e, c.srcStrides);
        KernelArgs.at(e, dst, c.dstBase);
        KernelArgs.ints(e, c.dstStrides);
        KernelArgs.ints(e, c.dims);
        String a = KernelEmitter.arrayDesc(src);
        if (!a.equals(KernelEmitter.arrayDesc(dst)))
            throw new IllegalStateException("strided copy between storages " + a + " and " + KernelEmitter.arrayDesc(dst));
        e.invoke(Movement.class, "copy", "(" + a + "I[I" + a + "I[I[I)V");
    }
}
