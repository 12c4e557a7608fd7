package dlc.ir.ops;

import dlc.ir.*;

import java.util.*;

/**
 * The VJP of {@code scan}: backpropagation through time as a reverse scan (docs/models.md 4.2).
 *
 * <p>The forward scan node keeps only its final carries and stacked ys, but every step's VJP needs
 * the carries that step started from. So the rule first re-runs the loop as an <em>augmented</em>
 * scan whose body also emits its input carries as extra ys: the per-step carries are stored
 * stacked along the scan axis, O(T) memory per carry. The augmented body keeps the original
 * outputs first, so the scan-merge pass ({@code dlc.passes.simplify.ScanMerge}) replaces the
 * original scan by the augmented one and the forward runs once.
 * A carry whose rank is too small to be stacked on that axis is stored with leading 1s. The
 * augmented body also emits the step's forward values its VJP reads ({@link Residuals}: an LSTM's
 * gate activations), stacked the same way, so the backward reads them instead of recomputing the
 * step's forward (its recurrent matmul included).
 *
 * <p>The reverse scan then walks the steps in the opposite order. Its carries are the cotangents
 * of the carries (seeded with the cotangents of the final carries) followed by one accumulator per
 * floating captured value (seeded with zeros); its xs are the stacked input carries, the saved
 * residuals, the original xs and the cotangents of the ys; its captured values are the original ones. Each step runs the
 * body's VJP graph ({@link VjpContext.BodyDifferentiator}) inlined: the carry cotangents it returns
 * become the next carries, the captured cotangents are added to the accumulators (weights shared
 * over time get the sum over steps), and the xs' cotangents are emitted as ys, stacked at the step
 * they belong to. Everything is built from scan and the body's own ops, so the result can be
 * differentiated again.
 *
 * <p>With {@code truncate = k} the reverse scan also reads each step's position in running order
 * (an iota over the steps, reversed for a reverse scan) and zeroes the carry cotangent it passes
 * back from every step p with p % k == 0 and p > 0: the chunk boundaries of truncated BPTT.
 */
final class ScanGradient {
    private ScanGradient() {}

    static List<Value> vjp(VjpContext c) {
        ScanOp.Config cfg = ScanOp.Config.of(c.attrs());
        Graph body = c.regions().get(0);
        int nc = cfg.carries(), nx = cfg.xs(), ny = body.outputs().size() - nc, ncap = c.inputCount() - nc - nx;
        GraphBuilder b = c.builder();
        OpDef scan = Ops.SCAN;

        Graph vjp = c.bodies().vjpGraph(body);
        List<Integer> floatingCaptured = new ArrayList<>(), floatingXs = new ArrayList<>(), hoisted = new ArrayList<>();
        for (int m = 0; m < ncap; m++) {
            if (!c.input(nc + nx + m).type().dtype().isFloating()) continue;
            if (outerProduct(vjp.outputs().get(nc + nx + m).value(), cfg) != null) hoisted.add(m);
            else floatingCaptured.add(m);
        }
        for (int j = 0; j < nx; j++) if (c.input(nc + j).type().dtype().isFloating()) floatingXs.add(j);
        // what the reverse body computes: the cotangents, but for a hoisted weight the two factors of its product
        List<Value> roots = new ArrayList<>();
        for (int i = 0; i < vjp.outputs().size(); i++) {
            Value v = vjp.outputs().get(i).value();
            Node mm = i >= nc + nx && i < nc + nx + ncap && hoisted.contains(i - nc - nx) ? outerProduct(v, cfg) : null;
            if (mm == null) roots.add(v);
            else {
                roots.add(mm.input(0).producer().input(0));
                roots.add(mm.input(1));
            }
        }
        Residuals res = Residuals.of(vjp, body.inputs().size(), nc + nx, roots);
        List<Value> carryStacks = List.of(), residualStacks = List.of();
        if (nc > 0 || !res.values.isEmpty()) {
            List<Value> aug = b.op(scan, c.attrs(), List.of(withInputCarries(body, nc, cfg, vjp, res)), inputs(c, 0, c.inputCount()));
            carryStacks = aug.subList(nc + ny, 2 * nc + ny);
            residualStacks = aug.subList(2 * nc + ny, aug.size());
        }


        Graph reverseBody = reverseBody(cfg, body, vjp, res, nc, nx, ny, ncap, floatingCaptured, floatingXs, hoisted);
        Value position = cfg.truncate() > 0 ? stepPositions(c, cfg) : null;
        List<Value> operands = new ArrayList<>();
        for (int i = 0; i < nc; i++) operands.add(c.cotangent(i));
        for (int m : floatingCaptured) operands.add(c.zerosLike(c.input(nc + nx + m)));
        operands.addAll(carryStacks);
        operands.addAll(residualStacks);
        operands.addAll(inputs(c, nc, nc + nx));
        for (int k = 0; k < ny; k++) operands.add(c.cotangent(nc + k));
        if (position != null) operands.add(position);
        operands.addAll(inputs(c, nc + nx, c.inputCount()));
        Attrs attrs = c.attrs().without("truncate").with("num_carries", (long) (nc + floatingCaptured.size()))
                .with("num_xs", (long) (nc + res.values.size() + nx + ny + (position == null ? 0 : 1))).with("reverse", !cfg.reverse());
        List<Value> back = b.op(scan, attrs, List.of(reverseBody), operands);

        Value[] grads = new Value[c.inputCount()];
        for (int i = 0; i < nc; i++)
            if (c.input(i).type().dtype().isFloating()) grads[i] = back.get(i);
        for (int a = 0; a < floatingCaptured.size(); a++) grads[nc + nx + floatingCaptured.get(a)] = back.get(nc + a);
        int ys = nc + floatingCaptured.size();
        for (int a = 0; a < floatingXs.size(); a++) grads[nc + floatingXs.get(a)] = back.get(ys + a);
        for (int h = 0; h < hoisted.size(); h++) {
            // sum over steps of P_t^T Q_t = (P_t stacked into rows)^T (Q_t stacked into rows): one GEMM over all steps
            Value p = rows(b, back.get(ys + floatingXs.size() + 2 * h)), q = rows(b, back.get(ys + floatingXs.size() + 2 * h + 1));
            grads[nc + nx + hoisted.get(h)] = b.op(Ops.MATMUL, b.op(Ops.PERMUTE, Attrs.of("perm", new long[]{1, 0}), p), q);
        }
        return Arrays.asList(grads);
    }

    /**
     * The matmul {@code permute(P) @ Q} (P [M, K] and Q [M, N] of one step, a [K, N] result) that
     * is a captured weight's whole cotangent in a step of the body's VJP graph (the gradient of
     * {@code h @ W}), when the steps' P and Q, stacked on the scan axis, fold into rows (the axis
     * is before their last one): then the weight's gradient, a sum over the steps, is one GEMM
     * over all the steps' rows after the loop rather than a product and an add per step into an
     * accumulator carried through it. Null otherwise.
     */
    private static Node outerProduct(Value cotangent, ScanOp.Config cfg) {
        long a = cfg.axis();
        if (!(a == 0 || a == 1 || a == -2 || a == -3)) return null;
        Node mm = cotangent.producer();
        if (mm == null || mm.op() != Ops.MATMUL || cotangent.type().rank() != 2) return null;
        Node t = mm.input(0).producer();
        if (t == null || t.op() != Ops.PERMUTE || !Arrays.equals(t.attrs().getLongs("perm"), new long[]{1, 0})) return null;
        if (t.input(0).type().rank() != 2 || mm.input(1).type().rank() != 2) return null;
        return mm;
    }

    /** A stack [.., T, .., N] of rank 3 as rows [prod of all but N, N]. */
    private static Value rows(GraphBuilder b, Value stacked) {
        Shape s = stacked.type().shape();
        Dim rows = s.dim(0).times(s.dim(1));
        return b.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(rows, s.dim(2))), stacked);
    }

    /**
     * An i64 x whose step t holds the position of step t in running order (t, or T-1-t for a
     * reverse scan): shape all 1s except T on the scan axis, so it scans like any other x.
     */
    private static Value stepPositions(VjpContext c, ScanOp.Config cfg) {
        List<TensorType> in = new ArrayList<>();
        for (int i = 0; i < c.inputCount(); i++) in.add(c.input(i).type());
        Dim steps = ScanOp.steps(in, cfg);
        long a = cfg.axis();
        int rank = (int) (a >= 0 ? a + 1 : -a), at = a >= 0 ? (int) a : 0;
        List<Dim> dims = new ArrayList<>(Collections.nCopies(rank, Dim.of(1)));
        dims.set(at, steps);
        Value iota = c.op(Ops.IOTA, Attrs.of("dtype", DType.I64, "shape", new Shape(dims), "axis", (long) at));
        return cfg.reverse() ? c.op(Ops.REVERSE, Attrs.of("axes", List.of((long) at)), iota) : iota;
    }

    private static List<Value> inputs(VjpContext c, int from, int to) {
        List<Value> l = new ArrayList<>();
        for (int i = from; i < to; i++) l.add(c.input(i));
        return l;
    }

    /**
     * A carry's type as the augmented scan stacks it: with leading 1s added where the carry's rank
     * is too small to stack along the scan axis (a scalar carry of a scan over axis 1), since the
     * axis applies to every x and y alike.
     */
    private static TensorType stackable(TensorType carry, ScanOp.Config cfg) {
        long a = cfg.axis();
        int need = (int) (a >= 0 ? a : -a - 1);
        if (carry.rank() >= need) return carry;
        List<Dim> dims = new ArrayList<>(Collections.nCopies(need - carry.rank(), Dim.of(1)));
        dims.addAll(carry.shape().dims());
        return carry.withShape(new Shape(dims));
    }

    private static Value reshaped(GraphBuilder b, Value v, TensorType to) {
        return v.type().equals(to) ? v : b.op(Ops.RESHAPE, Attrs.of("shape", to.shape()), v);
    }

    /**
     * The body with its input carries appended as extra outputs, after its own carries and ys, then
     * the residuals of its VJP graph (the step's saved activations). The residuals' nodes are the
     * VJP graph's copies of the body's nodes; common subexpression elimination merges them with the
     * body's own, so the forward computes each once.
     */
    private static Graph withInputCarries(Graph body, int nc, ScanOp.Config cfg, Graph vjp, Residuals res) {
        GraphBuilder b = new GraphBuilder(body.name() + "_with_carries");
        List<Value> args = new ArrayList<>();
        for (Value v : body.inputs()) args.add(b.input(v.name(), v.type(), v.role()));
        List<Value> out = inline(b, body, args);
        Map<Value, Value> map = new IdentityHashMap<>();
        for (int i = 0; i < args.size(); i++) map.put(vjp.inputs().get(i), args.get(i));
        for (Node n : vjp.nodes()) {
            if (res.dependsOnCotangents.contains(n)) continue;
            List<Value> o = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList());
            for (int i = 0; i < o.size(); i++) map.put(n.outputs().get(i), o.get(i));
        }
        // the body's own outputs first (carries and ys), so that the scan-merge pass can replace
        // the original scan by this one: the forward then runs once
        for (int i = 0; i < out.size(); i++) b.output(body.outputs().get(i).name(), Graph.Output.Role.OUTPUT, out.get(i));
        Set<String> names = new HashSet<>();
        for (Graph.Output o : body.outputs()) names.add(o.name());
        for (int i = 0; i < nc; i++) b.output(fresh(names, "carry_in" + i), Graph.Output.Role.OUTPUT, reshaped(b, args.get(i), stackable(args.get(i).type(), cfg)));
        for (int r = 0; r < res.values.size(); r++) {
            Value v = map.get(res.values.get(r));
            b.output(fresh(names, "saved" + r), Graph.Output.Role.OUTPUT, reshaped(b, v, stackable(v.type(), cfg)));
        }
        return b.build();
    }

    /** {@code base}, or {@code base_2}, {@code base_3}... when taken (an augmented body augmented again: second order). */
    private static String fresh(Set<String> taken, String base) {
        String n = base;
        for (int k = 2; !taken.add(n); k++) n = base + "_" + k;
        return n;
    }

    /**
     * One backward step: inputs {@code carry cotangents ++ accumulators ++ step carries ++ step xs
     * ++ step y cotangents ++ captured}; outputs {@code earlier carry cotangents ++ updated
     * accumulators ++ cotangents of the floating step xs}.
     */
    private static Graph reverseBody(ScanOp.Config cfg, Graph body, Graph vjp, Residuals res, int nc, int nx, int ny, int ncap,
                                     List<Integer> floatingCaptured, List<Integer> floatingXs, List<Integer> hoisted) {
        GraphBuilder b = new GraphBuilder(body.name() + "_reverse");
        List<Graph.Output> outs = body.outputs();
        List<Value> bodyIn = body.inputs();
        List<Value> gc = new ArrayList<>(), acc = new ArrayList<>(), carry = new ArrayList<>(), x = new ArrayList<>(),
                gy = new ArrayList<>(), cap = new ArrayList<>();
        for (int i = 0; i < nc; i++) gc.add(b.input("ct_carry" + i, bodyIn.get(i).type(), Value.Role.INPUT));
        for (int m : floatingCaptured) acc.add(b.input("acc" + m, bodyIn.get(nc + nx + m).type(), Value.Role.INPUT));
        for (int i = 0; i < nc; i++) {
            TensorType t = bodyIn.get(i).type();
            carry.add(b.input("carry" + i, stackable(t, cfg), Value.Role.INPUT));
        }
        List<Value> saved = new ArrayList<>();
        for (int r = 0; r < res.values.size(); r++)
            saved.add(b.input("saved" + r, stackable(res.values.get(r).type(), cfg), Value.Role.INPUT));
        for (int j = 0; j < nx; j++) x.add(b.input("x" + j, bodyIn.get(nc + j).type(), Value.Role.INPUT));
        for (int k = 0; k < ny; k++) gy.add(b.input("ct_y" + k, outs.get(nc + k).value().type(), Value.Role.INPUT));
        Value boundary = null;
        if (cfg.truncate() > 0) {
            long a = cfg.axis();
            int rank = (int) (a >= 0 ? a + 1 : -a);
            Value p = b.input("position", new TensorType(DType.I64, new Shape(Collections.nCopies(rank - 1, Dim.of(1)))), Value.Role.INPUT);
            p = reshaped(b, p, TensorType.scalar(DType.I64));
            Value zero = longConstant(b, 0), k = longConstant(b, cfg.truncate());
            boundary = b.op(Ops.AND, b.op(Ops.EQ, b.op(Ops.MOD, p, k), zero), b.op(Ops.GT, p, zero));
        }
        for (int m = 0; m < ncap; m++) cap.add(b.input("cap" + m, bodyIn.get(nc + nx + m).type(), Value.Role.INPUT));

        List<Value> args = new ArrayList<>();
        for (int i = 0; i < nc; i++) args.add(reshaped(b, carry.get(i), bodyIn.get(i).type()));
        args.addAll(x);
        args.addAll(cap);
        args.addAll(gc);
        args.addAll(gy);
        Map<Value, Value> map = new IdentityHashMap<>();
        for (int i = 0; i < args.size(); i++) map.put(vjp.inputs().get(i), args.get(i));
        for (int r = 0; r < saved.size(); r++) map.put(res.values.get(r), reshaped(b, saved.get(r), res.values.get(r).type()));
        for (Node n : vjp.nodes()) {
            if (!res.inReverse.contains(n)) continue; // computed by the forward (read from its stack) or not needed
            List<Value> o = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList());
            for (int i = 0; i < o.size(); i++) map.put(n.outputs().get(i), o.get(i));
        }
        List<Value> ct = vjp.outputs().stream().map(o -> map.get(o.value())).toList(); // null where hoisted

        for (int i = 0; i < nc; i++) {
            Value g = ct.get(i);
            if (boundary != null && g.type().dtype().isFloating()) {
                Value zero = b.op(Ops.BROADCAST_TO, Attrs.of("shape", g.type().shape()),
                        b.op(Ops.CONSTANT, Attrs.of("dtype", g.type().dtype(), "shape", Shape.SCALAR, "values", List.of(0.0))));
                g = b.op(Ops.WHERE, boundary, zero, g); // the carry entering a chunk is a constant
            }
            b.output("ct_carry" + i, Graph.Output.Role.OUTPUT, g);
        }
        for (int a = 0; a < floatingCaptured.size(); a++)
            b.output("acc" + floatingCaptured.get(a), Graph.Output.Role.OUTPUT, b.op(Ops.ADD, acc.get(a), ct.get(nc + nx + floatingCaptured.get(a))));
        for (int j : floatingXs) b.output("ct_x" + j, Graph.Output.Role.OUTPUT, ct.get(nc + j));
        for (int m : hoisted) {
            Node mm = outerProduct(vjp.outputs().get(nc + nx + m).value(), cfg);
            b.output("factor_p" + m, Graph.Output.Role.OUTPUT, map.get(mm.input(0).producer().input(0)));
            b.output("factor_q" + m, Graph.Output.Role.OUTPUT, map.get(mm.input(1)));
        }
        return b.build();
    }

    /**
     * What the forward saves for the backward (the gate activations of an LSTM step, rather than
     * recomputing them from the saved carries). The nodes of a body's VJP graph fall in three
     * kinds: those that read a cotangent (directly or not), the backward proper; those that read
     * none but do read a carry or an x (directly or not), the step's forward values; and the rest,
     * constants and values of the captured operands only (a transposed weight), which the reverse
     * body keeps computing itself rather than save a copy per step. Of the step's forward values,
     * the costly ones (a matmul, a transcendental function: anything not in {@link #CHEAP}) are
     * computed once by the forward and saved per step ({@code savedPerStep}); cheap arithmetic on
     * them (a sigmoid's derivative {@code s * (1 - s)}) is recomputed by the reverse body, which
     * reads fewer, narrower stacks that way. The residuals are the saved values the reverse body
     * reads.
     */
    private static final class Residuals {
        /** Forward values the reverse body recomputes from saved ones rather than save. */
        private static final Set<OpDef> CHEAP = Set.of(Ops.ADD, Ops.SUB, Ops.MUL, Ops.NEG, Ops.CONSTANT, Ops.RESHAPE,
                Ops.BROADCAST_TO, Ops.CAST, Ops.WHERE, Ops.PAD);

        final Set<Node> dependsOnCotangents = Collections.newSetFromMap(new IdentityHashMap<>());
        final Set<Node> savedPerStep = Collections.newSetFromMap(new IdentityHashMap<>());
        /** The nodes the reverse body emits: the ones its outputs need, up to the saved values. */
        final Set<Node> inReverse = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<Value> values = new ArrayList<>();

        /** {@code bodyInputs} inputs of {@code vjp} are the body's, the first {@code perStep} of them carries and xs. */
        static Residuals of(Graph vjp, int bodyInputs, int perStep, List<Value> roots) {
            Residuals r = new Residuals();
            Set<Value> cotangent = Collections.newSetFromMap(new IdentityHashMap<>()), step = Collections.newSetFromMap(new IdentityHashMap<>());
            List<Value> in = vjp.inputs();
            for (int i = 0; i < in.size(); i++) {
                if (i < perStep) step.add(in.get(i));
                else if (i >= bodyInputs) cotangent.add(in.get(i));
            }
            for (Node n : vjp.nodes()) {
                boolean readsCt = false, readsStep = false;
                for (Value v : n.inputs()) {
                    readsCt |= cotangent.contains(v);
                    readsStep |= step.contains(v);
                }
                // random ops and nested regions stay where they are, with the backward proper
                if (readsCt || readsStep && (n.op().is(OpTrait.RANDOM) || !n.regions().isEmpty())) {
                    r.dependsOnCotangents.add(n);
                    cotangent.addAll(n.outputs());
                } else if (readsStep) {
                    if (!CHEAP.contains(n.op())) r.savedPerStep.add(n);
                    step.addAll(n.outputs());
                }
            }
            // walk back from the outputs: a saved value ends the walk (a residual), anything else is recomputed
            Set<Value> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
            Deque<Value> work = new ArrayDeque<>();
            work.addAll(roots);
            while (!work.isEmpty()) {
                Value v = work.pop();
                Node p = v.producer();
                if (p == null) continue;
                if (r.savedPerStep.contains(p)) {
                    if (wanted.add(v)) r.values.add(v);
                } else if (r.inReverse.add(p)) {
                    work.addAll(p.inputs());
                }
            }
            return r;
        }
    }

    private static Value longConstant(GraphBuilder b, long v) {
        return b.op(Ops.CONSTANT, Attrs.of("dtype", DType.I64, "shape", Shape.SCALAR, "values", List.of((double) v)));
    }

    /** Copies the nodes of {@code g} into {@code b} with its inputs bound to {@code args}; returns its outputs there. */
    private static List<Value> inline(GraphBuilder b, Graph g, List<Value> args) {
        Map<Value, Value> map = new IdentityHashMap<>();
        for (int i = 0; i < args.size(); i++) map.put(g.inputs().get(i), args.get(i));
        for (Node n : g.nodes()) {
            List<Value> out = b.op(n.op(), n.attrs(), n.regions(), n.inputs().stream().map(map::get).toList());
            for (int i = 0; i < out.size(); i++) map.put(n.outputs().get(i), out.get(i));
        }
        return g.outputs().stream().map(o -> map.get(o.value())).toList();
    }
}
