package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Shared weights ({@code enc = share(encoder)}): one set of parameters for every call, named as
 * one plain call would name them, gradients summed over the calls, batch-norm state updated by
 * the calls in order, and clear errors for misuse.
 */
class SharedWeightsTest {
    private static final String ENCODER = """
            import std.nn.{dense}
            def encoder(x, units: int) { tanh(dense(tanh(dense(x, 5)), units)) }
            """;

    private static final String SIAMESE = ENCODER + """
            model Siamese {
              input a: f32[B, 3]
              input b: f32[B, 3]
              enc = share(encoder)
              ea = enc(a, 2)
              eb = enc(b, 2)
              output distance = sum((ea - eb) * (ea - eb), 1)
              loss mean(distance) + 0.1 * mean(ea)
            }
            """;

    /** The same function with two plain calls: two sets of parameters, encoder and encoder_1. */
    private static final String TWO_ENCODERS = SIAMESE.replace("enc = share(encoder)\n", "")
            .replace("enc(a, 2)", "encoder(a, 2)").replace("enc(b, 2)", "encoder(b, 2)");

    private static Map<String, TensorTypeAndRole> params(Graph g) {
        Map<String, TensorTypeAndRole> out = new TreeMap<>();
        for (Value v : g.inputs())
            if (v.role() == Value.Role.PARAM || v.role() == Value.Role.STATE) out.put(v.name(), new TensorTypeAndRole(v.type().toString(), v.role()));
        return out;
    }

    private record TensorTypeAndRole(String type, Value.Role role) {}

    /** Initial parameters from the init graph with key 7. */
    private static Map<String, Tensor> init(Compilation c) {
        Map<String, Tensor> in = new HashMap<>();
        Graph init = graph(c, "init");
        if (init.input("rng").isPresent()) in.put("rng", Tensor.scalar(DType.I64, 7));
        return new HashMap<>(Interpreter.run(init, in));
    }

    private static Tensor randomInput(Random r, int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        return Tensor.of(shape, d).withDType(DType.F32);
    }

    @Test
    void siameseCallsShareOneSetOfParametersNamedLikeOneCall() {
        Compilation shared = ok(SIAMESE), two = ok(TWO_ENCODERS);
        Set<String> names = params(graph(shared, "train")).keySet();
        assertEquals(Set.of("encoder.dense.w", "encoder.dense.b", "encoder.dense_1.w", "encoder.dense_1.b"), names);
        assertEquals(names, params(graph(shared, "eval")).keySet());
        assertEquals(names, graph(shared, "init").outputs().stream().map(Graph.Output::name).collect(java.util.stream.Collectors.toSet()));
        assertTrue(params(graph(two, "train")).keySet().contains("encoder_1.dense.w"), "plain calls get a scope each");
    }

    /**
     * The gradient of the shared parameters is the sum of the gradients through both calls: the
     * same function with two parameter sets holding equal values has gradients g_0 (first call)
     * and g_1 (second call), and the shared model's gradient is g_0 + g_1; both also match central
     * differences of the interpreter's (float64) loss.
     */
    @Test
    void siameseGradientAccumulatesFromBothCalls() {
        Compilation shared = ok(SIAMESE), two = ok(TWO_ENCODERS);
        Map<String, Tensor> p = init(shared);
        Random r = new Random(11);
        Map<String, Tensor> data = Map.of("a", randomInput(r, 4, 3), "b", randomInput(r, 4, 3));

        Graph sTrain = graph(shared, "train");
        List<String> sNames = new ArrayList<>(params(sTrain).keySet());
        Map<String, Tensor> sIn = new HashMap<>(data);
        sIn.putAll(p);
        Map<String, Tensor> sGrads = Interpreter.run(new Autodiff().gradients(sTrain, "loss", sNames), sIn);

        Graph tTrain = graph(two, "train");
        List<String> tNames = new ArrayList<>(params(tTrain).keySet());
        Map<String, Tensor> tIn = new HashMap<>(data);
        for (String n : tNames) tIn.put(n, p.get(n.replace("encoder_1.", "encoder.")));
        // the gradient graph's outputs: the model's outputs, then one GRAD per parameter named like it
        Graph tGrad = new Autodiff().gradients(tTrain, "loss", tNames);
        Map<String, Tensor> tGrads = Interpreter.run(tGrad, tIn);

        for (String n : sNames) {
            Tensor g = sGrads.get(n), g0 = tGrads.get(n), g1 = tGrads.get(n.replace("encoder.", "encoder_1."));
            double norm0 = 0, norm1 = 0;
            for (int i = 0; i < g.size(); i++) {
                assertEquals(g0.data()[i] + g1.data()[i], g.data()[i], 1e-12 * (1 + Math.abs(g.data()[i])), n + "[" + i + "]");
                norm0 += Math.abs(g0.data()[i]);
                norm1 += Math.abs(g1.data()[i]);
            }
            assertTrue(norm0 > 1e-6 && norm1 > 1e-6, n + ": both calls contribute (" + norm0 + ", " + norm1 + ")");
            // finite differences of the shared model's loss, float64 interpreter, h = 1e-6
            for (int i = 0; i < g.size(); i += Math.max(1, g.size() / 4)) {
                double numeric = centralDifference(sTrain, sIn, n, i);
                assertEquals(numeric, g.data()[i], 1e-3 * Math.max(1e-3, Math.abs(numeric)), "d loss / d " + n + "[" + i + "]");
            }
        }
    }

    private static double centralDifference(Graph g, Map<String, Tensor> in, String param, int i) {
        double h = 1e-6;
        Tensor t = in.get(param);
        double[] plus = t.data().clone(), minus = t.data().clone();
        plus[i] += h;
        minus[i] -= h;
        Map<String, Tensor> a = new HashMap<>(in), b = new HashMap<>(in);
        a.put(param, new Tensor(DType.F64, t.shape(), plus));
        b.put(param, new Tensor(DType.F64, t.shape(), minus));
        return (Interpreter.run(g, a).get("loss").item() - Interpreter.run(g, b).get("loss").item()) / (2 * h);
    }

    private static final String CELL = """
            import std.nn.{dense}
            def cell(h, x, hidden: int) { tanh(dense(x, hidden) + dense(h, hidden, bias=false)) }
            """;

    /**
     * An RNN cell reused by two scans (an encoder over x, then on over y from the encoder's last
     * state) and by a step written out by hand: one set of parameters, and the result equals one
     * scan of a plain call over x and y concatenated in time.
     */
    @Test
    void aReusedRnnCellIsOneCellAcrossScansAndSteps() {
        Compilation shared = ok(CELL + """
                model Reuse {
                  input x: f32[B, 3, 2]
                  input y: f32[B, 4, 2]
                  c = share(cell)
                  h0 = zeros([x.shape[0], 6])
                  hx, _ = scan(fn(h, xt) { n = c(h, xt, 6); (n, none) }, h0, xs=x)
                  hy, _ = scan(fn(h, yt) { n = c(h, yt, 6); (n, none) }, hx, xs=y)
                  output h = hy
                  output again = c(hy, y[:, 0], 6)
                }
                """);
        Compilation plain = ok(CELL + """
                model Plain {
                  input x: f32[B, 3, 2]
                  input y: f32[B, 4, 2]
                  h0 = zeros([x.shape[0], 6])
                  hxy, _ = scan(fn(h, xt) { n = cell(h, xt, 6); (n, none) }, h0, xs=concat([x, y], 1))
                  output h = hxy
                }
                """);
        assertEquals(params(graph(plain, "eval")), params(graph(shared, "eval")));
        assertEquals(Set.of("cell.dense.w", "cell.dense.b", "cell.dense_1.w"), params(graph(shared, "eval")).keySet());
        Map<String, Tensor> in = init(shared);
        Random r = new Random(5);
        in.put("x", randomInput(r, 2, 3, 2));
        in.put("y", randomInput(r, 2, 4, 2));
        Map<String, Tensor> s = Interpreter.run(graph(shared, "eval"), in), p = Interpreter.run(graph(plain, "eval"), in);
        assertClose(p.get("h").data(), s.get("h").data(), 1e-12);
        assertFalse(Arrays.equals(s.get("h").data(), s.get("again").data()), "the hand-written step moved the state");
    }

    private static final String BN_DISC = """
            import std.nn.{dense, batch_norm}
            def disc(x) { dense(batch_norm(x, momentum=0.1), 1) }
            model Gan {
              input real: f32[B, 2]
              input fake: f32[B, 2]
              d = share(disc)
              dr = d(real)
              df = d(fake)
              output scores = concat([dr, df], 0)
              loss mean(dr) - mean(df)
            }
            """;

    /**
     * A shared discriminator with batch norm called on a real and a fake batch: one set of
     * parameters and running statistics; each call normalizes by its own batch; the running
     * statistics are updated by the calls in order, as two successive forward passes of one
     * module would: rm = 0.9 (0.9 rm0 + 0.1 mean(real)) + 0.1 mean(fake).
     */
    @Test
    void aSharedBatchNormUpdatesItsStatisticsOncePerCallInOrder() {
        Compilation c = ok(BN_DISC);
        Graph train = graph(c, "train");
        assertEquals(Set.of("disc.batch_norm.running_mean", "disc.batch_norm.running_var", "disc.batch_norm.gamma",
                "disc.batch_norm.beta", "disc.dense.w", "disc.dense.b"), params(train).keySet());
        List<String> updates = train.outputs().stream().filter(o -> o.role() == Graph.Output.Role.UPDATE).map(Graph.Output::name).toList();
        assertEquals(List.of("disc.batch_norm.running_mean", "disc.batch_norm.running_var"), updates, "one update per state");
        assertTrue(graph(c, "eval").outputs().stream().noneMatch(o -> o.role() == Graph.Output.Role.UPDATE));

        Map<String, Tensor> in = init(c);
        in.put("disc.batch_norm.running_mean", Tensor.of(new int[]{2}, 0.5, -1.0).withDType(DType.F32));
        in.put("disc.batch_norm.running_var", Tensor.of(new int[]{2}, 2.0, 3.0).withDType(DType.F32));
        Tensor real = Tensor.of(new int[]{4, 2}, 1, 2, 3, 4, 5, 6, 7, 9).withDType(DType.F32);
        Tensor fake = Tensor.of(new int[]{4, 2}, -1, 0, 0, 0, 1, 1, 2, -3).withDType(DType.F32);
        in.put("real", real);
        in.put("fake", fake);
        Map<String, Tensor> out = Interpreter.run(train, in);
        double[] rm = {0.5, -1.0}, rv = {2.0, 3.0};
        for (Tensor batch : new Tensor[]{real, fake})
            for (int ch = 0; ch < 2; ch++) {
                double mu = 0, ss = 0;
                for (int i = 0; i < 4; i++) mu += batch.get(i, ch) / 4;
                for (int i = 0; i < 4; i++) ss += (batch.get(i, ch) - mu) * (batch.get(i, ch) - mu);
                rm[ch] = 0.9 * rm[ch] + 0.1 * mu;
                rv[ch] = 0.9 * rv[ch] + 0.1 * ss / 3;     // unbiased variance, n = 4
            }
        assertClose(rm, out.get("disc.batch_norm.running_mean").data(), 1e-12);
        assertClose(rv, out.get("disc.batch_norm.running_var").data(), 1e-12);

        // both calls train gamma and beta: the gradient of mean(dr) - mean(df) through each call
        List<String> affine = List.of("disc.batch_norm.gamma", "disc.batch_norm.beta", "disc.dense.w");
        Map<String, Tensor> g = Interpreter.run(new Autodiff().gradients(train, "loss", affine), in);
        for (String n : affine)
            for (int i = 0; i < g.get(n).size(); i += 1) {
                double numeric = centralDifference(train, in, n, i);
                assertEquals(numeric, g.get(n).data()[i], 1e-3 * Math.max(1e-3, Math.abs(numeric)), n + "[" + i + "]");
            }
    }

    /**
     * Checkpoints name parameters by path: a model that called its discriminator once keeps
     * every parameter name and type when it is refactored to call a shared instance twice.
     */
    @Test
    void refactoringOneCallIntoASharedInstanceKeepsTheParameterNames() {
        String before = """
                import std.nn.{dense, batch_norm}
                def disc(x) { dense(batch_norm(dense(x, 4)), 1) }
                def gen(z) { dense(z, 2) }
                model Gan {
                  input x: f32[B, 2]
                  fake = gen(x)
                  both = disc(concat([x, fake], 0))
                  loss mean(both)
                }
                """;
        String after = before.replace("both = disc(concat([x, fake], 0))", "d = share(disc)\n  both = concat([d(x), d(fake)], 0)");
        Graph b = graph(ok(before), "init"), a = graph(ok(after), "init");
        assertEquals(b.outputs().stream().map(o -> o.name() + ": " + o.value().type()).toList(),
                a.outputs().stream().map(o -> o.name() + ": " + o.value().type()).toList());
        assertEquals(Interpreter.run(b, Map.of("rng", Tensor.scalar(DType.I64, 3))), Interpreter.run(a, Map.of("rng", Tensor.scalar(DType.I64, 3))),
                "the same initial values: initializers draw from streams named after the parameter");
    }

    @Test
    void instancesAreNumberedLikeCallsAndMayBeNamed() {
        Compilation c = ok(ENCODER + """
                model M {
                  input x: f32[B, 3]
                  first = encoder(x, 2)
                  e = share(encoder)
                  f = share(encoder, name="siamese")
                  output y = first + e(x, 2) + e(x, 2) + f(x, 2) + f(x, 2)
                }
                """);
        Set<String> scopes = new TreeSet<>();
        for (String n : params(graph(c, "eval")).keySet()) scopes.add(n.substring(0, n.indexOf('.')));
        assertEquals(Set.of("encoder", "encoder_1", "siamese"), scopes);
    }

    @Test
    void dropoutInASharedInstanceDrawsAFreshMaskPerCall() {
        Compilation c = ok("""
                import std.nn.{dense, dropout}
                def block(x) { dropout(dense(x, 16), 0.5) }
                model M {
                  input x: f32[B, 3]
                  b = share(block)
                  output p = b(x)
                  output q = b(x)
                }
                """);
        Map<String, Tensor> in = init(c);
        in.put("x", randomInput(new Random(3), 2, 3));
        in.put("rng", Tensor.scalar(DType.I64, 9));
        Map<String, Tensor> train = Interpreter.run(graph(c, "train"), in);
        assertFalse(Arrays.equals(train.get("p").data(), train.get("q").data()), "two calls, two masks");
        in.remove("rng");
        Map<String, Tensor> eval = Interpreter.run(graph(c, "eval"), in);
        assertArrayEquals(eval.get("p").data(), eval.get("q").data(), "no dropout in eval: the same function");
    }

    @Test
    void aSharedInstanceMadeInADefGetsTheDefsScope() {
        Compilation c = ok(ENCODER + """
                def siamese(a, b) {
                  e = share(encoder)
                  e(a, 2) - e(b, 2)
                }
                model M {
                  input a: f32[B, 3]
                  input b: f32[B, 3]
                  output d1 = siamese(a, b)
                  output d2 = siamese(b, a)
                }
                """);
        assertEquals(Set.of("siamese.encoder.dense.w", "siamese.encoder.dense.b", "siamese.encoder.dense_1.w", "siamese.encoder.dense_1.b",
                        "siamese_1.encoder.dense.w", "siamese_1.encoder.dense.b", "siamese_1.encoder.dense_1.w", "siamese_1.encoder.dense_1.b"),
                params(graph(c, "eval")).keySet());
    }

    @Test
    void aSharedDefThatMakesItsOwnSharedInstanceStillSharesOnReplay() {
        // the outer instance's second call makes a fresh inner instance in the same scope: it must
        // find the parameters the first call declared, not declare them twice
        Compilation c = ok(CELL + """
                def twice(h, x) {
                  c = share(cell)
                  c(c(h, x, 4), x, 4)
                }
                model M {
                  input x: f32[B, 4]
                  t = share(twice)
                  output y = t(t(x, x), x)
                }
                """);
        assertEquals(Set.of("twice.cell.dense.w", "twice.cell.dense.b", "twice.cell.dense_1.w"), params(graph(c, "eval")).keySet());
    }

    @Test
    void gradOfASharedInstanceIsTheGradientOfItsParameters() {
        // the instance's scope is encoder_1 (a plain call came first); grad(y, e) takes its params only
        Compilation c = ok(ENCODER + """
                model M {
                  input a: f32[B, 3]
                  first = encoder(a, 2)
                  e = share(encoder, name="siamese")
                  y = sum(e(a, 2) * e(2.0 * a, 2)) + sum(first)
                  gs = grad(y, e)
                  output g0 = gs[0]
                  output g_path = grad(y, "siamese")[0]
                  output n = full([], len(gs))
                }
                """);
        Map<String, Tensor> in = init(c);
        in.put("a", randomInput(new Random(2), 3, 3));
        Map<String, Tensor> out = Interpreter.run(graph(c, "eval"), in);
        assertEquals(4.0, out.get("n").item(), "w and b of siamese.dense and siamese.dense_1");
        assertArrayEquals(out.get("g_path").data(), out.get("g0").data());
        assertArrayEquals(new int[]{3, 5}, out.get("g0").shape(), "the gradient of siamese.dense.w");
        assertTrue(Arrays.stream(out.get("g0").data()).anyMatch(v -> v != 0), "y depends on the instance's first layer");
    }

    // ---- diagnostics ---------------------------------------------------------------------------

    @Test
    void callsThatDisagreeOnAParameterShapeAreAnError() {
        String out = errors(ENCODER + """
                model M {
                  input a: f32[B, 3]
                  input b: f32[B, 4]
                  enc = share(encoder)
                  output y = enc(a, 2) + enc(b, 2)
                }
                """);
        assertTrue(out.contains("parameter 'encoder.dense.w' is f32[4, 5] in call 2 of shared encoder but f32[3, 5] in its first call"), out);
        assertTrue(out.contains("note: in call to shared encoder at test.dl:7:26"), out);
        assertTrue(out.contains("hint: the calls of a shared instance use one set of parameters"), out);
    }

    @Test
    void aLaterCallDeclaringWhatTheFirstDidNotIsAnError() {
        String out = errors("""
                import std.nn.{dense}
                def maybe(x, deep: bool) { if deep { dense(x, 3) } else { x } }
                model M {
                  input x: f32[B, 3]
                  m = share(maybe)
                  output y = m(x, false) + m(x, true)
                }
                """);
        assertTrue(out.contains("call 2 of shared maybe declares parameter 'maybe.dense.w', which its first call did not declare"), out);
        assertTrue(out.contains("test.dl:6:"), out);
    }

    @Test
    void shareNeedsADefAndAModel() {
        assertTrue(errors("""
                model M {
                  input x: f32[3]
                  s = share(fn(v) { v })
                  output y = s(x)
                }
                """).contains("test.dl:3:13: error: share needs a def, got a lambda"));
        assertTrue(errors("""
                model M {
                  input x: f32[3]
                  s = share(relu)
                  output y = s(x)
                }
                """).contains("share needs a def, got the builtin relu"));
        String atModuleLevel = errors(ENCODER + """
                const ENC = share(encoder)
                model M {
                  input x: f32[B, 3]
                  output y = ENC(x, 2)
                }
                """);
        assertTrue(atModuleLevel.contains("test.dl:3:13: error: share makes an instance whose parameters belong to a model"), atModuleLevel);
        String twice = errors(ENCODER + """
                model M {
                  input x: f32[B, 3]
                  e = share(share(encoder))
                  output y = e(x, 2)
                }
                """);
        assertTrue(twice.contains("this is already a shared instance of encoder"), twice);
        assertTrue(errors(ENCODER + """
                model M {
                  input x: f32[B, 3]
                  e = share(encoder, name="a.b")
                  output y = e(x, 2)
                }
                """).contains("the scope name \"a.b\" is not a plain name"));
    }

    @Test
    void aFailedFirstCallIsReportedOnceNotAgainByTheLaterCalls() {
        String out = errors(ENCODER + """
                model M {
                  input a: f32[B, 3]
                  enc = share(encoder)
                  p = enc(a, "two")
                  output y = enc(a, 2) + enc(a, 2)
                }
                """);
        assertEquals(1, out.lines().filter(l -> l.contains(": error: ")).count(), out);
        assertTrue(out.contains("test.dl:6:"), out);
    }

    @Test
    void aStateUpdatedTwiceInOneCallIsStillAnError() {
        String out = errors("""
                def counter(x) {
                  state n: f32[] = zeros()
                  n <- n + 1.0
                  n <- n + 1.0
                  x
                }
                model M {
                  input x: f32[3]
                  c = share(counter)
                  output y = c(c(x))
                }
                """);
        assertTrue(out.contains("'n' is updated twice in one step"), out);
    }

    @Test
    void aSharedCounterCountsEveryCall() {
        Compilation c = ok("""
                def counter(x) {
                  state n: f32[] = zeros()
                  n += 1.0
                  x
                }
                model M {
                  input x: f32[3]
                  c = share(counter)
                  output y = c(c(c(x)))
                }
                """);
        Map<String, Tensor> in = new HashMap<>(init(c));
        in.put("x", Tensor.of(new int[]{3}, 1, 2, 3).withDType(DType.F32));
        assertEquals(3.0, Interpreter.run(graph(c, "train"), in).get("counter.n").item());
    }
}
