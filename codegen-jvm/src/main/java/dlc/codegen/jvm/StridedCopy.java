package dlc.codegen.jvm;

import dlc.ir.Dim;
import dlc.ir.Value;
import dlc.runtime.Movement;

import java.util.ArrayList;
import java.util.List;

/**
 * One call of {@link Movement#copy}: for every index c of {@code dims},
 * {@code dst[dstBase + sum c[a]*dstStrides[a]] = src[srcBase + sum c'[a]*srcStrides[a]]}, with
 * {@code c'[a] = dims[a]-1-c[a]} on the axes {@code srcFlips} marks and {@code c[a]} elsewhere,
 * every quantity a non-negative (possibly symbolic) dim: the bind-time dim table holds no
 * negative values. The movement lowerings differ only in how they build
 * it; {@link #coalesced} then drops axes of literal size 1 and merges adjacent axes that are
 * contiguous on both sides, so a permute of [B, T, H, D] by [0, 2, 1, 3] copies rows of D and
 * a 2-D transpose reaches the kernel's tiled path. Merging is decided on dims as polynomials,
 * so it holds for every binding of the symbols.
 */
record StridedCopy(List<Dim> dims, List<Dim> srcStrides, List<Boolean> srcFlips, Dim srcBase, List<Dim> dstStrides, Dim dstBase) {
    StridedCopy {
        dims = List.copyOf(dims);
        srcStrides = List.copyOf(srcStrides);
        srcFlips = List.copyOf(srcFlips);
        dstStrides = List.copyOf(dstStrides);
        if (srcStrides.size() != dims.size() || srcFlips.size() != dims.size() || dstStrides.size() != dims.size())
            throw new IllegalArgumentException("strided copy needs one stride per dim: " + dims + ", " + srcStrides + ", " + dstStrides);
    }

    /** A copy that reads no axis backwards. */
    StridedCopy(List<Dim> dims, List<Dim> srcStrides, Dim srcBase, List<Dim> dstStrides, Dim dstBase) {
        this(dims, srcStrides, java.util.Collections.nCopies(dims.size(), false), srcBase, dstStrides, dstBase);
    }

    /** The same copy over fewer axes: literal 1s dropped, contiguous neighbours merged. */
    StridedCopy coalesced() {
        List<Dim> d = new ArrayList<>(), s = new ArrayList<>(), t = new ArrayList<>();
        List<Boolean> f = new ArrayList<>();
        for (int a = 0; a < dims.size(); a++) {
            Dim n = dims.get(a);
            if (n.equals(Dim.of(1))) continue;
            int last = d.size() - 1;
            // the previous axis steps exactly over this whole axis on both sides, in the same
            // direction (two flipped axes read backwards are one flipped axis): one axis
            if (last >= 0 && f.get(last) == srcFlips.get(a)
                    && s.get(last).equals(srcStrides.get(a).times(n)) && t.get(last).equals(dstStrides.get(a).times(n))) {
                d.set(last, d.get(last).times(n));
                s.set(last, srcStrides.get(a));
                t.set(last, dstStrides.get(a));
                continue;
            }
            d.add(n);
            s.add(srcStrides.get(a));
            f.add(srcFlips.get(a));
            t.add(dstStrides.get(a));
        }
        return new StridedCopy(d, s, f, srcBase, t, dstBase);
    }

    /**
     * Emits {@code Movement.copy(src, srcOff + srcBase, srcStrides, [srcFlips,] dst, dstOff + dstBase, dstStrides, dims)},
     * the flips (a constant 0/1 array) only when some axis reads backwards.
     */
    void emit(KernelEmitter e, Value src, Value dst) {
        StridedCopy c = coalesced();
        String a = KernelEmitter.arrayDesc(src);
        if (!a.equals(KernelEmitter.arrayDesc(dst)))
            throw new IllegalStateException("strided copy between storages " + a + " and " + KernelEmitter.arrayDesc(dst));
        boolean flips = c.srcFlips.contains(true);
        KernelArgs.at(e, src, c.srcBase);
        KernelArgs.ints(e, c.srcStrides);
        if (flips) e.ints(c.srcFlips.stream().mapToInt(b -> b ? 1 : 0).toArray());
        KernelArgs.at(e, dst, c.dstBase);
        KernelArgs.ints(e, c.dstStrides);
        KernelArgs.ints(e, c.dims);
        e.invoke(Movement.class, "copy", "(" + a + "I[I" + (flips ? "[I" : "") + a + "I[I[I)V");
    }
}
