package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Relations gradients must satisfy, checked on random smooth functions built from movement chains
 * and nonlinearities ({@code F(x) = sin(M2(sin(M1(x))))}, chains M drawn from a seed) and on
 * random composite graphs:
 * <ul>
 *   <li>linearity: {@code grad(a f + b g) = a grad f + b grad g}, and the sum rule with a shared
 *       intermediate (fan-out); these hold for any linear rules, so they test how autodiff
 *       accumulates and scales cotangents, not the rules themselves;</li>
 *   <li>chain rule: {@code grad (F o M) = M^T grad F} composed from separately taken gradients
 *       (exact up to rounding), and {@code <grad (F o M), v> = <grad F(M x), (M(x + hv) - M(x - hv)) / 2h>},
 *       which pulls the outer gradient back through the inner map's forward values, so a wrong
 *       rule in M is caught;</li>
 *   <li>the JVP/VJP inner-product identity {@code <J v, u> = <v, J^T u>} with {@code J v} by
 *       central differences of the vector-valued function and {@code J^T u} by reverse mode.</li>
 * </ul>
 */
class MetamorphicGradientProperties {
    /** Rounding-level agreement between two reverse-mode results computed in different orders. */
    private static final double EXACT = 1e-10;

    /**
     * F(x) = sin(M2(sin(M1(x)))) with chains (and their attributes) drawn from {@code chainSeed}.
     * sin rather than a saturating tanh: scatter_add and pad build sums of several inputs, and a
     * gradient of 1e-7 from tanh(6) would drown in the central differences' rounding noise.
     */
    static Value smooth(GraphBuilder b, Value x, long chainSeed) {
        Random r = new Random(chainSeed);
        Value inner = RandomMovements.chain(b, x, r, 1 + r.nextInt(3), RandomMovements.OPS);
        return b.op(Ops.SIN, RandomMovements.chain(b, b.op(Ops.SIN, inner), r, 1 + r.nextInt(2), RandomMovements.OPS));
    }

    /**
     * A graph with input x of shape s and {@code loss = sum_k c_k * sum(u_k * F_k(x))}, the weights
     * u_k named by {@code names}; with {@code shared}, every F_k reads {@code cos(x)} computed once.
     */
    static Graph weighted(int[] s, List<String> names, long[] seeds, double[] coeffs, boolean shared) {
        GraphBuilder b = new GraphBuilder("weighted");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT);
        Value base = shared ? b.op(Ops.COS, x) : x;
        Value loss = null;
        for (int k = 0; k < seeds.length; k++) {
            Value y = smooth(b, base, seeds[k]);
            Value u = b.input(names.get(k), y.type(), Value.Role.INPUT);
            Value term = b.op(Ops.MUL, b.op(Ops.CONSTANT, Attrs.of("dtype", DType.F64, "shape", Shape.SCALAR, "values", List.of(coeffs[k]))),
                    all(b, Ops.SUM, b.op(Ops.MUL, y, u)));
            loss = loss == null ? term : b.op(Ops.ADD, loss, term);
        }
        b.output("loss", Graph.Output.Role.LOSS, loss);
        return b.build();
    }

    private static Map<String, Tensor> weights(Graph g, Random r) {
        Map<String, Tensor> w = new HashMap<>();
        for (Value v : g.inputs()) if (!v.name().equals("x")) w.put(v.name(), tensor(RandomMovements.shapeOf(v), r, r::nextGaussian));
        return w;
    }

    private static double[] gradX(Autodiff ad, Graph g, Map<String, Tensor> inputs) {
        return GradCheck.gradients(ad.gradients(g, "loss", List.of("x")), inputs).get("x").data();
    }

    /** Asserts got == want elementwise to rounding (relative to the operands' magnitude). */
    private static void assertClose(double[] want, double[] got, double scale, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= EXACT * (1 + scale), what + " element " + i + ": " + want[i] + " vs " + got[i]);
    }

    private static double maxAbs(double[]... arrays) {
        double m = 0;
        for (double[] a : arrays) for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** grad(a f + b g) == a grad f + b grad g, with f and g separate or sharing an intermediate (fan-out). */
    @Property
    void gradientIsLinear(@ForAll long seed, @ForAll boolean shared) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        long sf = r.nextLong(), sg = r.nextLong();
        double a = -2 + 4 * r.nextDouble(), bc = -2 + 4 * r.nextDouble();
        Graph h = weighted(s, List.of("u", "w"), new long[]{sf, sg}, new double[]{a, bc}, shared);
        Map<String, Tensor> inputs = new HashMap<>(weights(h, r));
        inputs.put("x", distinct(s, r));
        double[] gf = gradX(new Autodiff(), weighted(s, List.of("u"), new long[]{sf}, new double[]{1}, shared), inputs);
        double[] gg = gradX(new Autodiff(), weighted(s, List.of("w"), new long[]{sg}, new double[]{1}, shared), inputs);
        double[] gh = gradX(new Autodiff(), h, inputs);
        double[] want = new double[gf.length];
        for (int i = 0; i < want.length; i++) want[i] = a * gf[i] + bc * gg[i];
        assertClose(want, gh, maxAbs(gf, gg), "a grad f + b grad g\n" + h);
    }

    /** Sum rule: grad(f + g) == grad f + grad g, where f and g both read one shared intermediate. */
    @Property
    void sumRuleWithFanOut(@ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        long sf = r.nextLong(), sg = r.nextLong();
        Graph h = weighted(s, List.of("u", "w"), new long[]{sf, sg}, new double[]{1, 1}, true);
        Map<String, Tensor> inputs = new HashMap<>(weights(h, r));
        inputs.put("x", distinct(s, r));
        String bad = sumRuleViolation(new Autodiff(), s, sf, sg, inputs);
        assertNull(bad, bad + "\n" + h);
    }

    private static String sumRuleViolation(Autodiff ad, int[] s, long sf, long sg, Map<String, Tensor> inputs) {
        double[] gf = gradX(ad, weighted(s, List.of("u"), new long[]{sf}, new double[]{1}, true), inputs);
        double[] gg = gradX(ad, weighted(s, List.of("w"), new long[]{sg}, new double[]{1}, true), inputs);
        double[] gh = gradX(ad, weighted(s, List.of("u", "w"), new long[]{sf, sg}, new double[]{1, 1}, true), inputs);
        double scale = maxAbs(gf, gg);
        for (int i = 0; i < gh.length; i++)
            if (!(Math.abs(gf[i] + gg[i] - gh[i]) <= EXACT * (1 + scale)))
                return "element " + i + ": grad f + grad g = " + (gf[i] + gg[i]) + ", grad (f + g) = " + gh[i];
        return null;
    }

    /** The inner chain M of a smooth function, alone: graph with input x and output "m". */
    private static Graph inner(int[] s, long chainSeed) {
        GraphBuilder b = new GraphBuilder("inner");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT);
        Random r = new Random(chainSeed);
        b.output("m", Graph.Output.Role.OUTPUT, b.op(Ops.SIN, RandomMovements.chain(b, x, r, 1 + r.nextInt(3), RandomMovements.OPS)));
        return b.build();
    }

    /**
     * Chain rule for h = F o M with M = sin(M1(x)) and F(y) = sum(u * sin(M2(y))) (the same chains as {@link #smooth}):
     * exact composition {@code grad h = M^T grad F(M x)} from separate reverse-mode gradients, and
     * {@code <grad h, v> = <grad F(M x), (M(x + hv) - M(x - hv)) / 2h>}. Returns a message on violation.
     */
    private static String chainRuleViolation(Autodiff ad, int[] s, long chainSeed, Random r) {
        Graph h = weighted(s, List.of("u"), new long[]{chainSeed}, new double[]{1}, false);
        Map<String, Tensor> inputs = new HashMap<>(weights(h, r));
        inputs.put("x", distinct(s, r));
        double[] gh = gradX(ad, h, inputs);
        // the outer function alone, on y = M(x): rebuild the chain draws so M2 matches
        Graph m = inner(s, chainSeed);
        Tensor y = dlc.ir.eval.Interpreter.run(m, Map.of("x", inputs.get("x"))).get("m");
        GraphBuilder ob = new GraphBuilder("outer");
        Value yin = ob.input("x", new TensorType(DType.F64, Shape.of(toLongs(y.shape()))), Value.Role.INPUT);
        Random cr = new Random(chainSeed);
        int innerSteps = 1 + cr.nextInt(3);
        GraphBuilder scratch = new GraphBuilder("scratch"); // replays M1's draws so cr reaches M2's
        RandomMovements.chain(scratch, scratch.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT), cr, innerSteps, RandomMovements.OPS);
        Value fy = ob.op(Ops.SIN, RandomMovements.chain(ob, yin, cr, 1 + cr.nextInt(2), RandomMovements.OPS));
        ob.output("loss", Graph.Output.Role.LOSS, all(ob, Ops.SUM, ob.op(Ops.MUL, fy, ob.input("u", fy.type(), Value.Role.INPUT))));
        double[] gy = gradX(ad, ob.build(), Map.of("x", y, "u", inputs.get("u")));
        // M^T gy by reverse mode through M alone: loss = sum(M(x) * c) with c = gy
        GraphBuilder lb = new GraphBuilder("pullback");
        Value lx = lb.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT);
        Random mr = new Random(chainSeed);
        Value mx = lb.op(Ops.SIN, RandomMovements.chain(lb, lx, mr, 1 + mr.nextInt(3), RandomMovements.OPS));
        lb.output("loss", Graph.Output.Role.LOSS, all(lb, Ops.SUM, lb.op(Ops.MUL, mx, lb.input("c", mx.type(), Value.Role.INPUT))));
        double[] pulled = gradX(ad, lb.build(), Map.of("x", inputs.get("x"), "c", new Tensor(DType.F64, y.shape(), gy)));
        double scale = maxAbs(gh, pulled);
        for (int i = 0; i < gh.length; i++)
            if (!(Math.abs(gh[i] - pulled[i]) <= EXACT * (1 + scale)))
                return "grad (F o M) element " + i + " is " + gh[i] + ", M^T grad F gives " + pulled[i];
        // <grad h, v> against <grad F(M x), JVP of M by central differences>
        Tensor x = inputs.get("x");
        double[] v = tensor(s, r, r::nextGaussian).data();
        double[] plus = shiftedRun(m, x, v, GradCheck.H), minus = shiftedRun(m, x, v, -GradCheck.H);
        double analytic = 0, mixed = 0, mixedScale = 0;
        for (int i = 0; i < v.length; i++) analytic += gh[i] * v[i];
        for (int j = 0; j < gy.length; j++) {
            mixed += gy[j] * (plus[j] - minus[j]) / (2 * GradCheck.H);
            mixedScale += Math.abs(gy[j] * plus[j]);
        }
        GradCheck.Result res = new GradCheck.Result(analytic, mixed, mixedScale);
        return res.ok() ? null : "<grad (F o M), v> vs <grad F, M'v>: " + res;
    }

    private static double[] shiftedRun(Graph m, Tensor x, double[] v, double h) {
        double[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) d[i] += h * v[i];
        return dlc.ir.eval.Interpreter.run(m, Map.of("x", new Tensor(DType.F64, x.shape(), d))).get("m").data();
    }

    @Property
    void chainRuleHolds(@ForAll long seed) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        long chainSeed = r.nextLong();
        String bad = chainRuleViolation(new Autodiff(), s, chainSeed, r);
        assertNull(bad, bad + "\n" + weighted(s, List.of("u"), new long[]{chainSeed}, new double[]{1}, false));
    }

    /** {@code <J v, u>} by central differences of F's values vs {@code <v, J^T u>} by reverse mode; null when they agree. */
    private static String innerProductViolation(Autodiff ad, int[] s, long chainSeed, Random r) {
        GraphBuilder b = new GraphBuilder("F");
        Value x = b.input("x", new TensorType(DType.F64, Shape.of(toLongs(s))), Value.Role.INPUT);
        Value y = smooth(b, x, chainSeed);
        b.output("y", Graph.Output.Role.OUTPUT, y);
        Graph f = b.build();
        Graph h = weighted(s, List.of("u"), new long[]{chainSeed}, new double[]{1}, false);
        Tensor xt = distinct(s, r), u = tensor(RandomMovements.shapeOf(y), r, r::nextGaussian);
        double[] v = tensor(s, r, r::nextGaussian).data();
        double[] jtu = gradX(ad, h, Map.of("x", xt, "u", u));
        double[] plus = shifted(f, xt, v, GradCheck.H), minus = shifted(f, xt, v, -GradCheck.H);
        double jvpU = 0, vJtu = 0, scale = 0;
        for (int j = 0; j < plus.length; j++) {
            jvpU += (plus[j] - minus[j]) / (2 * GradCheck.H) * u.data()[j];
            scale += Math.abs(plus[j] * u.data()[j]);
        }
        for (int i = 0; i < v.length; i++) vJtu += v[i] * jtu[i];
        GradCheck.Result res = new GradCheck.Result(vJtu, jvpU, scale);
        return res.ok() ? null : "<v, J^T u> vs <J v, u>: " + res + "\n" + f;
    }

    private static double[] shifted(Graph f, Tensor x, double[] v, double h) {
        double[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) d[i] += h * v[i];
        return dlc.ir.eval.Interpreter.run(f, Map.of("x", new Tensor(DType.F64, x.shape(), d))).get("y").data();
    }

    @Property
    void jvpVjpInnerProductIdentityOnChains(@ForAll long seed) {
        Random r = new Random(seed);
        String bad = innerProductViolation(new Autodiff(), randomShape(r, 3), r.nextLong(), r);
        assertNull(bad, bad);
    }

    /**
     * The identity on random composite graphs: {@code sum_k <J_k v, u_k>} over the floating
     * outputs f_k, with J v from the outputs' values at x +- h v, against {@code <v, J^T u>};
     * samples rejected as described on {@link CompositeGraphs}, plus when J v at steps 1e-6 and
     * 1e-5 disagrees (a kink within the step).
     */
    @Property(maxDiscardRatio = 30)
    void jvpVjpInnerProductIdentityOnCompositeGraphs(@ForAll("graphs") Graph generated, @ForAll long seed) {
        Optional<CompositeGraphs.Problem> problem = CompositeGraphs.prepare(generated, seed);
        Assume.that(problem.isPresent());
        CompositeGraphs.Problem p = problem.get();
        Assume.that(CompositeGraphs.unjudgeable(p) == null);
        Graph grad = new Autodiff().gradients(p.graph(), "loss", p.wrt());
        Random r = new Random(seed);
        Map<String, Tensor> dir = CompositeGraphs.direction(p, r);
        double jvp1 = jvpDotU(p, dir, GradCheck.H), jvp2 = jvpDotU(p, dir, 10 * GradCheck.H);
        double scale = Math.abs(CompositeGraphs.run(p.graph(), p.inputs()).get("loss").item());
        Assume.that(Math.abs(jvp1 - jvp2) <= 1e-7 * (Math.abs(jvp1) + Math.abs(jvp2)) + 1e-9);
        Map<String, Tensor> g = CompositeGraphs.run(grad, p.inputs());
        double vJtu = 0;
        for (String w : p.wrt()) {
            double[] gw = g.get(w).data(), v = dir.get(w).data();
            for (int i = 0; i < v.length; i++) vJtu += gw[i] * v[i];
        }
        GradCheck.Result res = new GradCheck.Result(vJtu, jvp1, scale);
        assertTrue(res.ok(), "<v, J^T u> vs <J v, u>: " + res + "\n" + p.graph());
    }

    /** {@code sum_k <(f_k(x + hv) - f_k(x - hv)) / 2h, u_k>}. */
    private static double jvpDotU(CompositeGraphs.Problem p, Map<String, Tensor> dir, double h) {
        Map<String, Tensor> plus = CompositeGraphs.runShifted(p, dir, h), minus = CompositeGraphs.runShifted(p, dir, -h);
        double sum = 0;
        for (String name : plus.keySet()) {
            if (!name.startsWith("f_")) continue;
            double[] a = plus.get(name).data(), b = minus.get(name).data(), u = p.inputs().get("u_" + name.substring(2)).data();
            for (int j = 0; j < a.length; j++) sum += (a[j] - b[j]) / (2 * h) * u[j];
        }
        return sum;
    }

    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(24); }

    /**
     * Planted wrong rules make these relations fail: add dropping its second operand's cotangent
     * breaks the sum rule; reverse not flipping back breaks the chain rule and the inner-product
     * identity (linear but wrong rules cannot break linearity, which is why the other two exist).
     */
    @Example
    void plantedWrongRulesBreakTheRelations() {
        Autodiff dropSecond = new Autodiff(op -> op == Ops.ADD ? c -> Arrays.asList(c.cotangent(0), c.zerosLike(c.input(1))) : op::vjp);
        Autodiff noFlip = new Autodiff(op -> op == Ops.REVERSE ? c -> List.of(c.cotangent(0)) : op::vjp);
        int[] s = {4};
        Random r = new Random(9);
        Graph h = weighted(s, List.of("u", "w"), new long[]{1, 2}, new double[]{1, 1}, true);
        Map<String, Tensor> inputs = new HashMap<>(weights(h, r));
        inputs.put("x", distinct(s, r));
        assertNotNull(sumRuleViolation(dropSecond, s, 1, 2, inputs));
        assertNull(sumRuleViolation(new Autodiff(), s, 1, 2, inputs));
        // find a chain seed whose chains flip an axis longer than 1 (reverse, or concat with a reversed copy)
        long chainSeed = -1;
        for (long cs = 0; cs < 1000 && chainSeed < 0; cs++) {
            GraphBuilder b = new GraphBuilder("probe");
            smooth(b, b.input("x", TensorType.of(DType.F64, 3, 2), Value.Role.INPUT), cs);
            if (b.build().nodes().stream().anyMatch(MetamorphicGradientProperties::flipsSomething)) chainSeed = cs;
        }
        assertTrue(chainSeed >= 0);
        int[] s2 = {3, 2};
        assertNotNull(innerProductViolation(noFlip, s2, chainSeed, new Random(4)));
        assertNull(innerProductViolation(new Autodiff(), s2, chainSeed, new Random(4)));
        assertNotNull(chainRuleViolation(noFlip, s2, chainSeed, new Random(4)));
        assertNull(chainRuleViolation(new Autodiff(), s2, chainSeed, new Random(4)));
    }

    private static boolean flipsSomething(Node n) {
        if (n.op() != Ops.REVERSE) return false;
        int[] s = RandomMovements.shapeOf(n.input(0));
        return Arrays.stream(n.attrs().getLongs("axes")).anyMatch(a -> s[(int) a] > 1);
    }
}
