package dlc.codegen.jvm;

import dlc.ir.*;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.*;

/**
 * One loop nest of a fusion group: iterates over {@code space}, evaluates the group's inline ops at
 * each point in JVM locals and stores the nest's targets, or accumulates one reduction (in double,
 * into a scratch array, then rounds into the result).
 *
 * <p>Every buffer access (a leaf read, a target write, the accumulator) is described per dim of the
 * space as present (a real stride) or absent (broadcast, or a reduced axis for the accumulator).
 * Adjacent dims with the same pattern for every access are merged, so an elementwise op over equal
 * shapes is one flat loop and a bias add is two. Offsets advance by adding strides, never multiply.
 */
final class NestEmitter implements Opcodes {
    private final ClassEmitter ce;
    private final MethodVisitor mv;
    private final GroupPlan plan;
    private final GroupPlan.Nest nest;
    private final Set<Value> targets = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Reads (leaves), then targets, then the accumulator (when reducing). */
    private final List<Value> accessValues = new ArrayList<>();
    private final List<boolean[]> present = new ArrayList<>();
    private final List<Dim[]> strides = new ArrayList<>();
    private int nextLocal = 1;
    /** The values the nest computes at each point (its inline ops), counted by {@link #collectLeaves}. */
    private int computed;
    /**
     * Whether the nest is a method of its own over a range of its outer loop: locals 1 and 2 hold
     * the first and the end index of the outer level, local 3 the part's index
     * ({@link ClassEmitter#parallelNest}). A ranged reduction only accumulates (the caller
     * finishes it): into its own rows of the accumulator when the outer level is kept, into
     * partial accumulator {@code part} when the outer level is reduced.
     */
    private final boolean ranged;

    // the merged loop levels
    private Dim[] extent;
    private Dim[][] levelStride; // [access][level]
    private int[] arrayLocal, strideLocal[], offsetLocal[], extentLocal;
    private int accLocal = -1;
    private final Map<Value, Integer> valueLocal = new IdentityHashMap<>();

    NestEmitter(ClassEmitter ce, MethodVisitor mv, GroupPlan plan, GroupPlan.Nest nest) {
        this(ce, mv, plan, nest, false);
    }

    NestEmitter(ClassEmitter ce, MethodVisitor mv, GroupPlan plan, GroupPlan.Nest nest, boolean ranged) {
        this.ce = ce;
        this.mv = mv;
        this.plan = plan;
        this.nest = nest;
        this.ranged = ranged;
        if (ranged) nextLocal = 4;
        targets.addAll(nest.targets());
    }

    /**
     * How a nest splits over threads: the extent of its outermost merged loop (null when the nest
     * has no loop: a single point), and a cost per point, the values it computes plus the buffers
     * it reads and writes, that weighs its element count against the handoff.
     */
    record Split(Dim outer, int costPerPoint) { }

    static Split split(GroupPlan plan, GroupPlan.Nest nest) {
        NestEmitter e = new NestEmitter(null, null, plan, nest);
        e.planAccesses();
        return new Split(e.extent.length == 0 ? null : e.extent[0], e.computed + e.accessValues.size());
    }

    /**
     * The most parts a reduction whose outer loop is reduced splits into (as many partial
     * accumulators share its scratch); {@code CompiledGraph.MAX_REDUCTION_PARTS} caps the split.
     */
    static final int MAX_REDUCTION_PARTS = dlc.runtime.CompiledGraph.MAX_REDUCTION_PARTS;

    /** A reduction whose outermost merged loop runs over a reduced axis (a column sum): its parts need partial accumulators. */
    private boolean outerReduced() {
        return nest.reduce() != null && extent.length > 0 && isZero(levelStride[accessValues.size() - 1][0]);
    }

    private static boolean isZero(Dim d) { return d.isConst() && d.value() == 0; }

    /**
     * Emits, at the nest's place in the group's method, the call that runs the reduction's nest
     * method {@code id} split over threads ({@code CompiledGraph.parallelReduce}, which returns
     * the parts it used), then the finish: each result cell combines its partial accumulators in
     * part order (a fixed order, so the result depends on the thread count, never on timing) and
     * is rounded into the result.
     */
    void emitSplitReduction(int id, long costPerPoint) {
        planAccesses();
        scratchAccumulator();
        mv.visitVarInsn(ALOAD, 0);
        BindTable.pushInt(mv, id);
        ce.bind.dim(mv, extent[0]);
        ce.bind.dim(mv, nest.space().numel());
        mv.visitInsn(I2L);
        mv.visitLdcInsn(costPerPoint);
        mv.visitInsn(LMUL); // the work: elements times the cost per point
        mv.visitMethodInsn(INVOKEVIRTUAL, ce.owner(), "parallelReduce", "(IIJ)I", false);
        int parts = local(1);
        if (!outerReduced()) { // the parts filled disjoint rows of one accumulator
            mv.visitInsn(POP);
            mv.visitInsn(ICONST_1);
        }
        mv.visitVarInsn(ISTORE, parts);
        finishReduction(reducedDims(), parts);
    }

    void emit() {
        int leafCount = planAccesses();
        emitCode(leafCount, reducedDims());
    }

    /** Collects the nest's accesses (leaves, targets, the accumulator) and merges its loop levels; returns the leaf count. */
    private int planAccesses() {
        Shape space = nest.space();
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Value> roots = nest.reduce() != null ? List.of(nest.reduce().input(0)) : nest.targets();
        for (Value r : roots) collectLeaves(r, seen, true);
        for (Value leaf : accessValues) addAccess(leaf.type().shape(), space, null);
        int leafCount = accessValues.size();
        for (Value t : nest.targets()) {
            accessValues.add(t);
            addAccess(space, space, null);
        }
        if (nest.reduce() != null) {
            accessValues.add(null); // the accumulator
            addAccess(space, space, reducedDims());
        }
        mergeLevels(space);
        return leafCount;
    }

    private boolean[] reducedDims() {
        int rank = nest.space().rank();
        boolean[] reduced = new boolean[rank];
        if (nest.reduce() != null) for (long a : axes(nest.reduce(), rank)) reduced[(int) a] = true;
        return reduced;
    }

    private void emitCode(int leafCount, boolean[] reduced) {
        int levels = extent.length;
        int accesses = accessValues.size();
        // arrays into locals
        arrayLocal = new int[accesses];
        for (int a = 0; a < accesses; a++) {
            Value v = accessValues.get(a);
            if (v == null) {
                scratchAccumulator();
                arrayLocal[a] = accLocal;
            } else {
                ce.array(mv, v);
                arrayLocal[a] = local(1);
                mv.visitVarInsn(ASTORE, arrayLocal[a]);
            }
        }
        extentLocal = new int[levels];
        for (int l = 0; l < levels; l++) {
            ce.bind.dim(mv, extent[l]);
            extentLocal[l] = local(1);
            mv.visitVarInsn(ISTORE, extentLocal[l]);
        }
        strideLocal = new int[accesses][levels];
        for (int a = 0; a < accesses; a++)
            for (int l = 0; l < levels; l++) {
                Dim s = levelStride[a][l];
                if (s.isConst()) { strideLocal[a][l] = -1; continue; }
                ce.bind.dim(mv, s);
                strideLocal[a][l] = local(1);
                mv.visitVarInsn(ISTORE, strideLocal[a][l]);
            }
        offsetLocal = new int[accesses][levels + 1];
        boolean partial = ranged && outerReduced();
        for (int a = 0; a < accesses; a++) {
            offsetLocal[a][0] = local(1);
            if (ranged) {
                // the range starts at outer index `from`: offset = from * (the outer level's stride)
                mv.visitVarInsn(ILOAD, 1);
                pushStride(a, 0);
                mv.visitInsn(IMUL);
                if (partial && a == accesses - 1) { // partial accumulator `part`: cells [part * n, part * n + n)
                    mv.visitVarInsn(ILOAD, 3);
                    ce.bind.dim(mv, nest.reduce().output().type().shape().numel());
                    mv.visitInsn(IMUL);
                    mv.visitInsn(IADD);
                }
            } else {
                mv.visitInsn(ICONST_0);
            }
            mv.visitVarInsn(ISTORE, offsetLocal[a][0]);
            for (int l = 1; l <= levels; l++) offsetLocal[a][l] = local(1);
        }
        if (nest.reduce() != null) fillAccumulator(partial);
        loop(0, leafCount);
        if (nest.reduce() != null && !ranged) finishReduction(reduced, -1);
    }

    private void pushStride(int access, int level) {
        Dim st = levelStride[access][level];
        if (st.isConst()) BindTable.pushInt(mv, KernelArgs.constInt(st));
        else mv.visitVarInsn(ILOAD, strideLocal[access][level]);
    }

    // ---- planning

    /** The buffers a nest reads: materialized values its expressions reach that it does not compute itself. */
    static List<Value> leaves(GroupPlan plan, GroupPlan.Nest nest) {
        NestEmitter e = new NestEmitter(null, null, plan, nest);
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value r : nest.reduce() != null ? List.of(nest.reduce().input(0)) : nest.targets()) e.collectLeaves(r, seen, true);
        return e.accessValues;
    }

    private void collectLeaves(Value v, Set<Value> seen, boolean root) {
        if (!seen.add(v)) return;
        if (plan.materialized.contains(v) && !targets.contains(v)) {
            accessValues.add(v);
            return;
        }
        Node p = v.producer();
        if (p == null) throw new IllegalStateException("JVM backend: group input " + v + " is not materialized");
        computed++;
        for (Value in : p.inputs()) collectLeaves(in, seen, false);
    }

    /** A row-major access to a buffer of shape {@code s} broadcast (right-aligned) over {@code space}; {@code absent} marks reduced dims. */
    private void addAccess(Shape s, Shape space, boolean[] absent) {
        int rank = space.rank(), off = rank - s.rank();
        boolean[] p = new boolean[rank];
        Dim[] st = new Dim[rank];
        if (absent != null) {
            // the accumulator: row-major over the kept dims
            Dim stride = Dim.of(1);
            for (int k = rank - 1; k >= 0; k--) {
                st[k] = absent[k] ? Dim.of(0) : stride;
                p[k] = !absent[k] && !isOne(space.dim(k));
                if (!absent[k]) stride = stride.times(space.dim(k));
            }
        } else {
            Dim stride = Dim.of(1);
            for (int k = rank - 1; k >= 0; k--) {
                int j = k - off;
                if (j < 0 || isOne(s.dim(j)) && !isOne(space.dim(k))) {
                    st[k] = Dim.of(0);
                    p[k] = false;
                    continue;
                }
                if (!s.dim(j).equals(space.dim(k)))
                    throw new IllegalStateException("JVM backend: cannot broadcast " + s + " over " + space);
                st[k] = stride;
                p[k] = !isOne(space.dim(k));
                stride = stride.times(s.dim(j));
            }
        }
        present.add(p);
        strides.add(st);
    }

    private static boolean isOne(Dim d) { return d.isConst() && d.value() == 1; }

    /** Merges adjacent dims with identical presence patterns; drops dims of extent 1. */
    private void mergeLevels(Shape space) {
        int rank = space.rank(), accesses = present.size();
        List<Dim> ext = new ArrayList<>();
        List<Dim[]> st = new ArrayList<>();
        int k = 0;
        while (k < rank) {
            if (isOne(space.dim(k))) { k++; continue; }
            int m = k;
            Dim e = space.dim(k);
            while (m + 1 < rank && (isOne(space.dim(m + 1)) || samePattern(k, m + 1))) {
                m++;
                e = e.times(space.dim(m));
            }
            // stride of the merged level: that of its innermost non-unit dim
            int inner = m;
            while (isOne(space.dim(inner)) && inner > k) inner--;
            Dim[] s = new Dim[accesses];
            for (int a = 0; a < accesses; a++) s[a] = present.get(a)[inner] ? strides.get(a)[inner] : Dim.of(0);
            ext.add(e);
            st.add(s);
            k = m + 1;
        }
        extent = ext.toArray(new Dim[0]);
        levelStride = new Dim[accesses][extent.length];
        for (int l = 0; l < extent.length; l++) for (int a = 0; a < accesses; a++) levelStride[a][l] = st.get(l)[a];
    }

    private boolean samePattern(int k1, int k2) {
        for (boolean[] p : present) if (p[k1] != p[k2]) return false;
        return true;
    }

    static long[] axes(Node reduce, int rank) {
        Object a = reduce.attrs().get("axes");
        @SuppressWarnings("unchecked") List<Long> list = (List<Long>) a;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i) < 0 ? list.get(i) + rank : list.get(i);
        return out;
    }

    private int local(int size) {
        int l = nextLocal;
        nextLocal += size;
        return l;
    }

    // ---- loops

    private void loop(int level, int leafCount) {
        int levels = extent.length, accesses = accessValues.size();
        if (level == levels) {
            body(leafCount);
            return;
        }
        if (level == levels - 1 && nest.reduce() != null && isZero(levelStride[accesses - 1][level])) {
            reduceInnermost(level, leafCount);
            return;
        }
        int i = local(1);
        for (int a = 0; a < accesses; a++) {
            mv.visitVarInsn(ILOAD, offsetLocal[a][level]);
            mv.visitVarInsn(ISTORE, offsetLocal[a][level + 1]);
        }
        boolean range = ranged && level == 0; // the outer loop of a split nest runs [from, to)
        if (range) mv.visitVarInsn(ILOAD, 1);
        else mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, i);
        Label test = new Label(), top = new Label();
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(top);
        loop(level + 1, leafCount);
        advance(level);
        mv.visitIincInsn(i, 1);
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, range ? 2 : extentLocal[level]);
        mv.visitJumpInsn(IF_ICMPLT, top);
    }

    /** Moves every access's offset at {@code level + 1} one step of loop {@code level} on. */
    private void advance(int level) {
        for (int a = 0; a < accessValues.size(); a++) {
            Dim s = levelStride[a][level];
            if (s.isConst() && s.value() == 0) continue;
            mv.visitVarInsn(ILOAD, offsetLocal[a][level + 1]);
            if (s.isConst()) BindTable.pushInt(mv, KernelArgs.constInt(s));
            else mv.visitVarInsn(ILOAD, strideLocal[a][level]);
            mv.visitInsn(IADD);
            mv.visitVarInsn(ISTORE, offsetLocal[a][level + 1]);
        }
    }

    /**
     * The innermost loop of a reduction that runs over a reduced level (one accumulator cell for the
     * whole loop: a bias gradient's sum over a plane): four double locals take points i, i+1, i+2,
     * i+3 in turn, the cell's running value in the first, and the cell gets
     * {@code (s0 + s1) + (s2 + s3)} after the loop. One chain through the cell waited for each
     * add (4 cycles) at every point; four chains overlap (the reference CNN's [64, 32, 28, 28] bias
     * gradient took about half the profile samples it did). The order is fixed by the shapes, so results do not depend on the
     * run; they can differ from a sequential sum in the last bits of the double, far below the
     * float result's rounding. max and min are exact in any order.
     */
    private void reduceInnermost(int level, int leafCount) {
        int accesses = accessValues.size(), acc = accesses - 1;
        Lowering.Accumulate how = reduction().accumulate();
        double identity = how.identity(nest.reduce().input(0).type().dtype() == DType.BOOL);
        for (int a = 0; a < accesses; a++) {
            mv.visitVarInsn(ILOAD, offsetLocal[a][level]);
            mv.visitVarInsn(ISTORE, offsetLocal[a][level + 1]);
        }
        int[] sum = {local(2), local(2), local(2), local(2)};
        mv.visitVarInsn(ALOAD, accLocal);
        mv.visitVarInsn(ILOAD, offsetLocal[acc][level]);
        mv.visitInsn(DALOAD);
        mv.visitVarInsn(DSTORE, sum[0]);
        for (int k = 1; k < 4; k++) {
            mv.visitLdcInsn(identity);
            mv.visitVarInsn(DSTORE, sum[k]);
        }
        boolean range = ranged && level == 0;
        int i = local(1), end = range ? 2 : extentLocal[level];
        if (range) mv.visitVarInsn(ILOAD, 1);
        else mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, i);
        Label test4 = new Label(), top4 = new Label(), test1 = new Label(), top1 = new Label();
        mv.visitJumpInsn(GOTO, test4);
        mv.visitLabel(top4);
        for (int k = 0; k < 4; k++) {
            accumulate(leafCount, sum[k], how);
            advance(level);
        }
        mv.visitIincInsn(i, 4);
        mv.visitLabel(test4);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(ICONST_3);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ILOAD, end);
        mv.visitJumpInsn(IF_ICMPLT, top4); // i + 3 < end: four points left
        mv.visitJumpInsn(GOTO, test1);
        mv.visitLabel(top1);
        accumulate(leafCount, sum[0], how);
        advance(level);
        mv.visitIincInsn(i, 1);
        mv.visitLabel(test1);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, end);
        mv.visitJumpInsn(IF_ICMPLT, top1);
        mv.visitVarInsn(ALOAD, accLocal);
        mv.visitVarInsn(ILOAD, offsetLocal[acc][level]);
        mv.visitVarInsn(DLOAD, sum[0]);
        mv.visitVarInsn(DLOAD, sum[1]);
        how.emit(mv);
        mv.visitVarInsn(DLOAD, sum[2]);
        mv.visitVarInsn(DLOAD, sum[3]);
        how.emit(mv);
        how.emit(mv);
        mv.visitInsn(DASTORE);
    }

    /** One point of a reduction into the double local {@code sum}: the leaves read, the operand computed, combined. */
    private void accumulate(int leafCount, int sum, Lowering.Accumulate how) {
        loadLeaves(leafCount);
        int l = eval(nest.reduce().input(0));
        mv.visitVarInsn(DLOAD, sum);
        ElementwiseCode.load(mv, nest.reduce().input(0), l, false);
        how.emit(mv);
        mv.visitVarInsn(DSTORE, sum);
    }

    private int offsetAt(int access) { return offsetLocal[access][extent.length]; }


    /** Reads the point's leaves into fresh locals (forgetting the previous point's values). */
    private void loadLeaves(int leafCount) {
        valueLocal.clear();
        for (int a = 0; a < leafCount; a++) {
            Value v = accessValues.get(a);
            boolean f = ElementwiseCode.isFloat(v);
            mv.visitVarInsn(ALOAD, arrayLocal[a]);
            mv.visitVarInsn(ILOAD, offsetAt(a));
            mv.visitInsn(f ? FALOAD : DALOAD);
            int l = local(f ? 1 : 2);
            mv.visitVarInsn(f ? FSTORE : DSTORE, l);
            valueLocal.put(v, l);
        }
    }

    private void body(int leafCount) {
        loadLeaves(leafCount);
        if (nest.reduce() == null) {
            for (int t = 0; t < nest.targets().size(); t++) {
                Value v = nest.targets().get(t);
                int a = leafCount + t, l = eval(v);
                boolean f = ElementwiseCode.isFloat(v);
                mv.visitVarInsn(ALOAD, arrayLocal[a]);
                mv.visitVarInsn(ILOAD, offsetAt(a));
                mv.visitVarInsn(f ? FLOAD : DLOAD, l);
                mv.visitInsn(f ? FASTORE : DASTORE);
            }
            return;
        }
        Value x = nest.reduce().input(0);
        int l = eval(x), acc = accessValues.size() - 1;
        mv.visitVarInsn(ALOAD, accLocal);
        mv.visitVarInsn(ILOAD, offsetAt(acc));
        mv.visitInsn(DUP2);
        mv.visitInsn(DALOAD);
        ElementwiseCode.load(mv, x, l, false);
        reduction().accumulate().emit(mv);
        mv.visitInsn(DASTORE);
    }

    /** Emits the computation of {@code v} at the current point (once) and returns its local. */
    private int eval(Value v) {
        Integer have = valueLocal.get(v);
        if (have != null) return have;
        Node p = v.producer();
        List<Integer> ins = new ArrayList<>();
        for (Value in : p.inputs()) ins.add(eval(in));
        ElementwiseCode.emit(mv, p, ins);
        boolean f = ElementwiseCode.isFloat(v);
        int l = local(f ? 1 : 2);
        mv.visitVarInsn(f ? FSTORE : DSTORE, l);
        valueLocal.put(v, l);
        return l;
    }

    // ---- reductions

    /** The reduced node's {@link Lowering.Reduction} entry. */
    private Lowering.Reduction reduction() {
        Node r = nest.reduce();
        Lowering.Reduction how = LoweringTable.of(r).accept(r, new LoweringTable.Kinds<Lowering.Reduction>(null) {
            @Override public Lowering.Reduction reduction(Node n, Lowering.Reduction h) { return h; }
        });
        if (how == null) throw new IllegalStateException("JVM backend: op " + r.op().name() + " is no reduction nest (at " + r.loc() + ")");
        return how;
    }

    /**
     * The accumulator: room for {@link #MAX_REDUCTION_PARTS} partial ones when the outer loop is
     * reduced (as many as the outer loop has rows, when fewer and known).
     */
    private void scratchAccumulator() {
        Dim n = nest.reduce().output().type().shape().numel();
        int partials = outerReduced() ? MAX_REDUCTION_PARTS : 1;
        if (extent.length > 0 && extent[0].isConst()) partials = (int) Math.min(partials, extent[0].value());
        int k = ce.bind.scratchSlot(DType.F64, n.times(Dim.of(Math.max(1, partials))), 1000);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, ce.owner(), "ds", "[[D");
        BindTable.pushInt(mv, k);
        mv.visitInsn(AALOAD);
        accLocal = local(1);
        mv.visitVarInsn(ASTORE, accLocal);
    }

    /**
     * Fills the cells this nest accumulates into with the identity: all of them, or in a ranged
     * nest those of its part: partial accumulator {@code part} when {@code partial}, else the rows
     * [from, to) of the kept outer level.
     */
    private void fillAccumulator(boolean partial) {
        Node r = nest.reduce();
        double identity = reduction().accumulate().identity(r.input(0).type().dtype() == DType.BOOL);
        int acc = accessValues.size() - 1;
        mv.visitVarInsn(ALOAD, accLocal);
        if (!ranged) {
            mv.visitInsn(ICONST_0);
            ce.bind.dim(mv, r.output().type().shape().numel());
        } else if (partial) {
            mv.visitVarInsn(ILOAD, offsetLocal[acc][0]);
            mv.visitVarInsn(ILOAD, offsetLocal[acc][0]);
            ce.bind.dim(mv, r.output().type().shape().numel());
            mv.visitInsn(IADD);
        } else {
            mv.visitVarInsn(ILOAD, offsetLocal[acc][0]);
            mv.visitVarInsn(ILOAD, 2);
            pushStride(acc, 0);
            mv.visitInsn(IMUL);
        }
        mv.visitLdcInsn(identity);
        mv.visitMethodInsn(INVOKESTATIC, "java/util/Arrays", "fill", "([DIID)V", false);
    }

    /**
     * out[i] = acc[i] (divided by the reduced count for mean), in the result's storage type; with
     * {@code partsLocal} (an int local, or -1 for one part) acc[i] combined with the partial
     * accumulators acc[p * n + i], p = 1 .. parts - 1, in that order.
     */
    private void finishReduction(boolean[] reduced, int partsLocal) {
        Node r = nest.reduce();
        Value out = r.output();
        boolean f = ElementwiseCode.isFloat(out);
        ce.array(mv, out);
        int outArr = local(1);
        mv.visitVarInsn(ASTORE, outArr);
        int n = local(1), i = local(1), count = -1;
        ce.bind.dim(mv, out.type().shape().numel());
        mv.visitVarInsn(ISTORE, n);
        Lowering.Reduction how = reduction();
        if (how.divideByCount()) {
            Dim c = Dim.of(1);
            Shape s = nest.space();
            for (int k = 0; k < s.rank(); k++) if (reduced[k]) c = c.times(s.dim(k));
            ce.bind.dim(mv, c);
            mv.visitInsn(I2D);
            count = local(2);
            mv.visitVarInsn(DSTORE, count);
        }
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, i);
        Label test = new Label(), top = new Label();
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(top);
        mv.visitVarInsn(ALOAD, outArr);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ALOAD, accLocal);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(DALOAD);
        if (partsLocal >= 0) combineParts(how, partsLocal, n, i);
        if (count >= 0) {
            mv.visitVarInsn(DLOAD, count);
            mv.visitInsn(DDIV);
        }
        if (f) mv.visitInsn(D2F);
        if (out.type().dtype().isInteger() && how.wrapsIntegers()) { // wraps to its dtype, as the interpreter's
            mv.visitInsn(D2L);
            mv.visitLdcInsn(out.type().dtype().intKind());
            mv.visitMethodInsn(INVOKESTATIC, BindTable.NUM + "Ints", "wrap", "(JI)D", false);
        }
        mv.visitInsn(f ? FASTORE : DASTORE);
        mv.visitIincInsn(i, 1);
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, i);
        mv.visitVarInsn(ILOAD, n);
        mv.visitJumpInsn(IF_ICMPLT, top);
    }

    /** With acc[i] on the stack: combines acc[p * n + i] into it for p = 1 .. parts - 1 (the locals {@code parts}, {@code n}, {@code i}). */
    private void combineParts(Lowering.Reduction how, int parts, int n, int i) {
        int p = local(1);
        mv.visitInsn(ICONST_1);
        mv.visitVarInsn(ISTORE, p);
        Label test = new Label(), top = new Label();
        mv.visitJumpInsn(GOTO, test);
        mv.visitLabel(top);
        mv.visitVarInsn(ALOAD, accLocal);
        mv.visitVarInsn(ILOAD, p);
        mv.visitVarInsn(ILOAD, n);
        mv.visitInsn(IMUL);
        mv.visitVarInsn(ILOAD, i);
        mv.visitInsn(IADD);
        mv.visitInsn(DALOAD);
        how.accumulate().emit(mv);
        mv.visitIincInsn(p, 1);
        mv.visitLabel(test);
        mv.visitVarInsn(ILOAD, p);
        mv.visitVarInsn(ILOAD, parts);
        mv.visitJumpInsn(IF_ICMPLT, top);
    }
}
