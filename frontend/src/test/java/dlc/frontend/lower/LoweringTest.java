package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Lowering of expressions and model statements, checked on graph structure and by running the eval graph. */
class LoweringTest {
    private static final String DENSE = """
            def dense(x: f32[..., I], units: int) -> f32[..., units] {
              param w: f32[I, units] = normal(0.0, 0.1)
              param b: f32[units] = zeros()
              x @ w + b
            }
            """;

    private static Tensor run1(Graph g, String out, Map<String, Tensor> in) { return run(g, in).get(out); }

    @Test
    void symbolicBatchDimStaysSymbolic() {
        Compilation c = ok(DENSE + """
                model Mlp(hidden: int = 16) {
                  input x: f32[B, 784]
                  h = relu(dense(x, hidden))
                  output logits = dense(h, 10)
                }
                """);
        for (String mode : List.of("train", "eval")) {
            Graph g = graph(c, mode);
            assertEquals(new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(784))), g.input("x").orElseThrow().type());
            assertEquals(new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(10))), g.output("logits").orElseThrow().value().type());
            assertEquals(List.of("dense.w", "dense.b", "dense_1.w", "dense_1.b"),
                    g.inputs(Value.Role.PARAM).stream().map(Value::name).toList());
        }
        assertEquals(List.of("init", "train", "eval"), c.module().graphs().stream().map(Graph::name).toList());
        assertEquals("Mlp", c.module().name());
        assertEquals(List.of("Mlp"), c.models());
    }

    @Test
    void ifWithoutElseRunsItsBlockOnlyWhenTrueAndEmptyTupleIsAValue() {
        Compilation c = ok("""
                def scale(x, twice: bool) {
                  y = x
                  if twice { y = y * 2.0 }
                  y
                }
                def count(t) { len(t) }
                model M {
                  input x: f32[B, 2]
                  output a = scale(x, true) + cast(count(()), f32)
                  output b = scale(x, false)
                }
                """);
        Map<String, Tensor> out = run(graph(c, "eval"), Map.of("x", new Tensor(DType.F32, new int[]{1, 2}, new double[]{1, -3})));
        assertArrayEquals(new double[]{2, -6}, out.get("a").data(), 0);
        assertArrayEquals(new double[]{1, -3}, out.get("b").data(), 0);
    }

    @Test
    void initGraphProducesParamsOfDeclaredShapes() {
        Compilation c = ok(DENSE + """
                model Mlp {
                  input x: f32[B, 5]
                  output y = dense(relu(dense(x, 3)), 2)
                }
                """);
        Graph init = graph(c, "init");
        assertEquals(List.of("rng"), init.inputs().stream().map(Value::name).toList());
        Map<String, Tensor> params = run(init, Map.of("rng", Tensor.scalar(DType.I64, 7)));
        assertArrayEquals(new int[]{5, 3}, params.get("dense.w").shape());
        assertArrayEquals(new int[]{3}, params.get("dense.b").shape());
        assertArrayEquals(new int[]{3, 2}, params.get("dense_1.w").shape());
        assertArrayEquals(new int[]{2}, params.get("dense_1.b").shape());
        assertEquals(DType.F32, params.get("dense.w").dtype());
        for (double v : params.get("dense.b").data()) assertEquals(0.0, v);
        double[] w = params.get("dense.w").data();
        assertTrue(Arrays.stream(w).anyMatch(v -> v != 0) && Arrays.stream(w).allMatch(v -> Math.abs(v) < 1.0),
                "normal(0, 0.1) draws small nonzero values: " + Arrays.toString(w));
        assertFalse(Arrays.equals(w, Arrays.copyOf(params.get("dense_1.w").data(), w.length)),
                "each parameter draws from its own stream");
        // the eval graph runs on the initial parameters
        Map<String, Tensor> in = new HashMap<>(params);
        in.put("x", t(new int[]{4, 5}, new double[20]));
        assertArrayEquals(new int[]{4, 2}, run(graph(c, "eval"), in).get("y").shape());
    }

    @Test
    void evalGraphComputesHandCheckedValues() {
        Compilation c = ok("""
                model M {
                  input x: f32[B, 2]
                  param w: f32[2, 2] = 0.5
                  output y = x @ w + 1
                  output z = 2 - x ** 2 / 4
                }
                """);
        Graph eval = graph(c, "eval");
        Map<String, Tensor> r = run(eval, Map.of("x", t(new int[]{1, 2}, 1, 2), "w", t(new int[]{2, 2}, 1, 2, 3, 4)));
        assertClose(new double[]{8, 11}, r.get("y").data(), 1e-12);
        assertClose(new double[]{1.75, 1}, r.get("z").data(), 1e-12);
        Map<String, Tensor> init = run(graph(c, "init"), Map.of());
        assertClose(new double[]{0.5, 0.5, 0.5, 0.5}, init.get("w").data(), 0);
    }

    @Test
    void compileTimeValuesFold() {
        Compilation c = ok("""
                const N = 2 * 3 + 1
                def pick(flag: bool, a, b) { if flag { a } else { b } }
                const first = fn((a, _)) { a }
                model M {
                  input x: f32[B, 3]
                  k = pick(N == 7, 10, 20)
                  (p, q), r = ((1, 2), 3)
                  f = fn(v) { v * k }
                  g = first((f, 0))
                  output y = g(x) + p + q + r + len([1, 2]) + prod((2, 3)) + int(2.9) + N / 7 + max(1, 4)
                }
                """);
        Tensor y = run1(graph(c, "eval"), "y", Map.of("x", t(new int[]{1, 3}, 1, 2, 3)));
        double extra = 1 + 2 + 3 + 2 + 6 + 2 + 1 + 4;
        assertClose(new double[]{10 + extra, 20 + extra, 30 + extra}, y.data(), 1e-9);
        // folding leaves one constant per literal meeting a tensor, no arithmetic nodes for compile-time math
        long adds = graph(c, "eval").nodes().stream().filter(n -> n.op() == Ops.ADD).count();
        assertEquals(8, adds);
    }

    @Test
    void keywordArgumentsDefaultsAndReturn() {
        Compilation c = ok("""
                def affine(x, scale: float = 2.0, shift: float = scale + 1.0) {
                  if scale == 0.0 { return x } else { }
                  x * scale + shift
                }
                model M {
                  input x: f32[B]
                  output a = affine(x)
                  output b = affine(x, shift=0.5)
                  output c = affine(x, scale=0.0)
                }
                """);
        Map<String, Tensor> r = run(graph(c, "eval"), Map.of("x", t(new int[]{2}, 1, 2)));
        assertClose(new double[]{5, 7}, r.get("a").data(), 0);
        assertClose(new double[]{2.5, 4.5}, r.get("b").data(), 0);
        assertClose(new double[]{1, 2}, r.get("c").data(), 0);
    }

    @Test
    void symbolicDimsMeetTensorsAsRunTimeValues() {
        Compilation c = ok("""
                model M {
                  input x: f32[B, T]
                  output m = sum(x) / (B * T)
                  output last = T - 1 + x[:, 0]
                  output big = maximum(x, B)
                }
                """);
        Map<String, Tensor> r = run(graph(c, "eval"), Map.of("x", t(new int[]{2, 3}, 1, 2, 3, 4, 5, 6)));
        assertClose(new double[]{3.5}, r.get("m").data(), 1e-12);
        assertClose(new double[]{3, 6}, r.get("last").data(), 0);
        assertClose(new double[]{2, 2, 3, 4, 5, 6}, r.get("big").data(), 0);
    }

    @Test
    void indexingAndSlicing() {
        Compilation c = ok("""
                model M {
                  input x: f32[B, T, 3]
                  output last = x[:, -1]
                  output rev = x[0, ::-1, 0]
                  output mid = x[..., 1:3]
                  output every2 = x[0, 0, ::2]
                  output t = x[0].T
                }
                """);
        Graph g = graph(c, "eval");
        assertEquals("f32[B, 3]", g.output("last").orElseThrow().value().type().toString());
        assertEquals("f32[T]", g.output("rev").orElseThrow().value().type().toString());
        assertEquals("f32[B, T, 2]", g.output("mid").orElseThrow().value().type().toString());
        assertEquals("f32[3, T]", g.output("t").orElseThrow().value().type().toString());
        double[] data = new double[2 * 2 * 3];
        for (int i = 0; i < data.length; i++) data[i] = i;
        Map<String, Tensor> r = run(g, Map.of("x", t(new int[]{2, 2, 3}, data)));
        assertClose(new double[]{3, 4, 5, 9, 10, 11}, r.get("last").data(), 0);
        assertClose(new double[]{3, 0}, r.get("rev").data(), 0);
        assertClose(new double[]{1, 2, 4, 5, 7, 8, 10, 11}, r.get("mid").data(), 0);
        assertClose(new double[]{0, 2}, r.get("every2").data(), 0);
        assertClose(new double[]{0, 3, 1, 4, 2, 5}, r.get("t").data(), 0);
    }

    @Test
    void tensorIndexGathers() {
        Compilation c = ok("""
                model M {
                  input tokens: i32[B, S]
                  param E: f32[4, 2] = 0.0
                  output emb = E[tokens]
                  output rows = E[[3, 0]]
                }
                """);
        Graph g = graph(c, "eval");
        assertEquals("f32[B, S, 2]", g.output("emb").orElseThrow().value().type().toString());
        Tensor e = t(new int[]{4, 2}, 0, 1, 10, 11, 20, 21, 30, 31);
        Map<String, Tensor> r = run(g, Map.of("tokens", new Tensor(DType.I32, new int[]{1, 2}, new double[]{2, 1}), "E", e));
        assertClose(new double[]{20, 21, 10, 11}, r.get("emb").data(), 0);
        assertClose(new double[]{30, 31, 0, 1}, r.get("rows").data(), 0);
    }

    @Test
    void membersAndReshapeInference() {
        Compilation c = ok("""
                model M {
                  input x: f32[B, 2, 3]
                  n = x.rank
                  s = x.shape
                  output flat = reshape(x, [s[0], -1])
                  output back = reshape(flat, (-1, 3))
                  output k = full([], n)
                }
                """);
        Graph g = graph(c, "eval");
        assertEquals("f32[B, 6]", g.output("flat").orElseThrow().value().type().toString());
        assertEquals("f32[2*B, 3]", g.output("back").orElseThrow().value().type().toString());
        Map<String, Tensor> r = run(g, Map.of("x", t(new int[]{1, 2, 3}, 1, 2, 3, 4, 5, 6)));
        assertClose(new double[]{1, 2, 3, 4, 5, 6}, r.get("flat").data(), 0);
        assertClose(new double[]{3}, r.get("k").data(), 0);
    }

    @Test
    void builtinsLowerToOps() {
        Compilation c = ok("""
                model M {
                  input x: f32[B, 4]
                  a, b = split(x, 2, axis=1)
                  output cat = concat([b, a], 1)
                  output st = stack([a, b], 0)
                  output m = mean(x, -1, keepdims=true)
                  output am = argmax(x, 1)
                  output mx = maximum(x, 2.5)
                  output w = where(x > 2, x, 0)
                  output p = pad(x, [(0, 0), (1, 0)], value=-1.0)
                  output c = cast(x >= 3, f32)
                  output sq = squeeze(unsqueeze(x, 0), 0)
                  output z = zeros_like(x) + ones([4]) + sqrt(16.0)
                  output io = iota([2, 3], 1)
                }
                """);
        Graph g = graph(c, "eval");
        assertEquals("f32[2, B, 2]", g.output("st").orElseThrow().value().type().toString());
        assertEquals("i64[B]", g.output("am").orElseThrow().value().type().toString());
        Map<String, Tensor> r = run(g, Map.of("x", t(new int[]{1, 4}, 1, 2, 3, 4)));
        assertClose(new double[]{3, 4, 1, 2}, r.get("cat").data(), 0);
        assertClose(new double[]{2.5}, r.get("m").data(), 1e-12);
        assertClose(new double[]{3}, r.get("am").data(), 0);
        assertClose(new double[]{2.5, 2.5, 3, 4}, r.get("mx").data(), 0);
        assertClose(new double[]{0, 0, 3, 4}, r.get("w").data(), 0);
        assertClose(new double[]{-1, 1, 2, 3, 4}, r.get("p").data(), 0);
        assertClose(new double[]{0, 0, 1, 1}, r.get("c").data(), 0);
        assertClose(new double[]{1, 2, 3, 4}, r.get("sq").data(), 0);
        assertClose(new double[]{5, 5, 5, 5}, r.get("z").data(), 0);
        assertClose(new double[]{0, 1, 2, 0, 1, 2}, r.get("io").data(), 0);
    }

    @Test
    void convPaddingForms() {
        Compilation c = ok("""
                model M {
                  input x: f32[N, 1, 5, 5]
                  param w: f32[2, 1, 3, 3] = 1.0
                  output same = conv2d(x, w, padding="same")
                  output valid = conv2d(x, w, padding="valid")
                  output pair = conv2d(x, w, padding=(1, 0), stride=2)
                  output pool = max_pool2d(x, 2)
                }
                """);
        Graph g = graph(c, "eval");
        assertEquals("f32[N, 2, 5, 5]", g.output("same").orElseThrow().value().type().toString());
        assertEquals("f32[N, 2, 3, 3]", g.output("valid").orElseThrow().value().type().toString());
        assertEquals("f32[N, 2, 3, 2]", g.output("pair").orElseThrow().value().type().toString());
        assertEquals("f32[N, 1, 2, 2]", g.output("pool").orElseThrow().value().type().toString());
        Node same = g.output("same").orElseThrow().value().producer();
        assertEquals(List.of(1L, 1L, 1L, 1L), same.attrs().get("padding"));
        double[] ones = new double[25];
        Arrays.fill(ones, 1);
        Tensor out = run(g, Map.of("x", t(new int[]{1, 1, 5, 5}, ones), "w", t(new int[]{2, 1, 3, 3}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1))).get("same");
        assertEquals(4.0, out.get(0, 0, 0, 0)); // a corner sees a 2x2 window
        assertEquals(9.0, out.get(0, 1, 2, 2));
    }

    @Test
    void trainAndEvalDifferOnTraining() {
        Compilation c = ok("""
                def dropout(x, p: float) {
                  if training {
                    keep = bernoulli(1.0 - p, shape=x.shape)
                    x * keep / (1.0 - p)
                  } else { x }
                }
                model M {
                  input x: f32[B, 8]
                  output y = dropout(x, 0.5)
                }
                """);
        Graph train = graph(c, "train"), eval = graph(c, "eval");
        assertTrue(train.input("rng").isPresent(), "training draws random numbers from the rng input");
        assertTrue(eval.input("rng").isEmpty());
        assertTrue(train.nodes().stream().anyMatch(n -> n.op() == Ops.RANDOM_UNIFORM));
        assertTrue(eval.nodes().isEmpty(), "eval passes x through: " + eval.nodes());
        double[] ones = new double[8];
        Arrays.fill(ones, 1);
        Tensor y = run(train, Map.of("x", t(new int[]{1, 8}, ones), "rng", Tensor.scalar(DType.I64, 3))).get("y");
        for (double v : y.data()) assertTrue(v == 0 || v == 2, "dropout keeps 1/(1-p) or drops: " + v);
        Tensor y2 = run(train, Map.of("x", t(new int[]{1, 8}, ones), "rng", Tensor.scalar(DType.I64, 3))).get("y");
        assertArrayEquals(y.data(), y2.data(), "the same key gives the same mask");
    }

    @Test
    void randomSaltsAreDeterministicAndPerSite() {
        String src = """
                model M {
                  input x: f32[B, 4]
                  output a = x + uniform(x.shape)
                  output b = x + uniform(x.shape)
                }
                """;
        List<Object> salts1 = salts(ok(src)), salts2 = salts(ok(src));
        assertEquals(salts1, salts2, "compiling twice gives the same salts");
        assertEquals(2, new HashSet<>(salts1).size(), "two call sites draw from two streams: " + salts1);
    }

    @Test
    void aSiteDrawsTheSameStreamInTrainAndEvalWhateverTrainingOnlyCallsPrecedeIt() {
        Compilation c = ok("""
                def noisy(x) { x + normal(x.shape) }
                def drop(x) { if training { x * cast(uniform(x.shape) > 0.5, f32) } else { x } }
                model M {
                  input x: f32[4]
                  h = drop(x)
                  output y = noisy(h)
                }
                """);
        List<Object> train = salts(c, "train"), eval = salts(c, "eval");
        assertEquals(2, train.size());
        assertEquals(List.of(train.get(1)), eval, "noisy's draw keeps its salt when drop draws only in training");
        Tensor x = t(new int[]{4}, 0, 0, 0, 0);
        Tensor fromEval = run(graph(c, "eval"), Map.of("x", x, "rng", Tensor.scalar(DType.I64, 4))).get("y");
        assertEquals(4, Arrays.stream(fromEval.data()).distinct().count(), "four different normal draws");
    }

    private static List<Object> salts(Compilation c, String graphName) {
        return graph(c, graphName).nodes().stream().filter(n -> n.op() == Ops.RNG_FOLD).map(n -> n.attrs().get("salt")).toList();
    }

    private static List<Object> salts(Compilation c) {
        return graph(c, "train").nodes().stream().filter(n -> n.op() == Ops.RNG_FOLD).map(n -> n.attrs().get("salt")).toList();
    }

    @Test
    void stateUpdatesExistOnlyInTrainGraph() {
        Compilation c = ok("""
                def running_mean(x: f32[B, C], momentum: float = 0.5) {
                  state rm: f32[C] = zeros()
                  if training { rm <- rm * momentum + mean(x, 0) * (1.0 - momentum) } else { }
                  x - rm
                }
                model M {
                  input x: f32[B, 2]
                  param w: f32[2] = 1.0
                  y = running_mean(x) * w
                  w -= 0.1
                  output y
                  loss mean(y)
                }
                """);
        Graph train = graph(c, "train"), eval = graph(c, "eval");
        assertEquals(List.of("running_mean.rm"), train.inputs(Value.Role.STATE).stream().map(Value::name).toList());
        assertEquals(Graph.Output.Role.UPDATE, train.output("running_mean.rm").orElseThrow().role());
        assertEquals(Graph.Output.Role.UPDATE, train.output("w").orElseThrow().role());
        assertEquals(Graph.Output.Role.LOSS, train.output("loss").orElseThrow().role());
        assertTrue(eval.outputs().stream().noneMatch(o -> o.role() == Graph.Output.Role.UPDATE));
        assertTrue(eval.output("loss").isPresent(), "eval reports the loss too");
        Map<String, Tensor> r = run(train, Map.of("x", t(new int[]{2, 2}, 1, 2, 3, 4), "w", t(new int[]{2}, 1, 1),
                "running_mean.rm", t(new int[]{2}, 0, 0)));
        assertClose(new double[]{1, 1.5}, r.get("running_mean.rm").data(), 1e-12);
        assertClose(new double[]{0.9, 0.9}, r.get("w").data(), 1e-12);
    }

    @Test
    void parameterPathsFollowInlinedCalls() {
        Compilation c = ok(DENSE + """
                def encoder(x: f32[B, F]) {
                  h = relu(dense(x, 4))
                  dense(h, 2)
                }
                def noparams(x) { x * 2 }
                model AE {
                  param scale: f32[] = 1.0
                  input x: f32[B, 3]
                  a = noparams(x)
                  z = encoder(a)
                  z2 = encoder(noparams(x))
                  output y = dense(z + z2, 3) * scale
                }
                """);
        assertEquals(List.of("scale", "encoder.dense.w", "encoder.dense.b", "encoder.dense_1.w", "encoder.dense_1.b",
                        "encoder_1.dense.w", "encoder_1.dense.b", "encoder_1.dense_1.w", "encoder_1.dense_1.b", "dense.w", "dense.b"),
                graph(c, "train").inputs(Value.Role.PARAM).stream().map(Value::name).toList());
        assertEquals(graph(c, "train").inputs().stream().map(Value::name).toList(),
                graph(c, "eval").inputs().stream().map(Value::name).toList(), "both modes declare the same inputs");
    }

    @Test
    void recursiveDefsStackLayersAsSiblings() {
        Compilation c = ok(DENSE + """
                def stack(x, n: int) {
                  h = relu(dense(x, 3))
                  if n == 1 { h } else { stack(h, n - 1) }
                }
                model M {
                  input x: f32[B, 2]
                  output y = stack(x, 3)
                }
                """);
        assertEquals(List.of("stack.dense.w", "stack.dense.b", "stack.dense_1.w", "stack.dense_1.b", "stack.dense_2.w", "stack.dense_2.b"),
                graph(c, "train").inputs(Value.Role.PARAM).stream().map(Value::name).toList());
    }

    @Test
    void namedLosses() {
        Compilation c = ok("""
                model Gan {
                  input x: f32[B]
                  loss d_loss = mean(x)
                  loss g_loss = sum(x * x)
                }
                """);
        assertEquals(List.of("d_loss", "g_loss"), graph(c, "train").outputs().stream().map(Graph.Output::name).toList());
    }

    @Test
    void modelParametersAndChoosingAModel() {
        String src = """
                model A(n: int = 3) {
                  input x: f32[B, n]
                  output y = x * 2
                }
                model Second {
                  input x: f32[4]
                  output y = -x
                }
                """;
        Compilation first = ok(src);
        assertEquals("A", first.module().name());
        assertEquals("f32[B, 3]", graph(first, "eval").input("x").orElseThrow().type().toString());
        Compilation second = compile(src, "Second", Map.of());
        assertTrue(second.ok(), second.render());
        assertEquals("Second", second.module().name());
        assertEquals(List.of("A", "Second"), second.models());
    }

    @Test
    void modelParametersCanBeOverridden() {
        String src = """
                model A(n: int = 3, scale: float = 1.0) {
                  input x: f32[B, n]
                  output y = x * scale
                }
                """;
        Compilation c = dlc.frontend.Frontend.compileSource("test.dl", src, null, Map.of("n", "2 * 4", "scale", "2"), provider(Map.of()));
        assertTrue(c.ok(), c.render());
        assertEquals("f32[B, 8]", graph(c, "eval").input("x").orElseThrow().type().toString());
        Compilation bad = dlc.frontend.Frontend.compileSource("test.dl", src, null, Map.of("m", "2", "scale", "\"big\""), provider(Map.of()));
        String out = bad.render();
        assertTrue(out.contains("model A has no parameter 'm'") && out.contains("did you mean 'n'?"), out);
        assertTrue(out.contains("<param scale>:1:15: error: model parameter 'scale' must be a float, got a string"), out);
    }

    @Test
    void importsRelativeModulesAndNames() {
        Map<String, String> mods = Map.of(
                "lib.layers", """
                        const SCALE = 3
                        def triple(x) { x * SCALE }
                        def twice(x) { x * 2 }
                        """,
                "lib.more", """
                        import lib.layers.{twice}
                        def quad(x) { twice(twice(x)) }
                        """);
        Compilation c = ok("""
                import lib.layers
                import lib.layers.{triple as t3}
                import lib.more.quad
                model M {
                  input x: f32[2]
                  output y = layers.twice(x) + t3(x) + quad(x) + layers.SCALE
                }
                """, mods);
        Tensor y = run1(graph(c, "eval"), "y", Map.of("x", t(new int[]{2}, 1, 2)));
        assertClose(new double[]{2 + 3 + 4 + 3, 4 + 6 + 8 + 3}, y.data(), 0);
        assertTrue(c.sources().containsKey("lib/layers.dl") && c.sources().containsKey("lib/more.dl"), c.sources().keySet().toString());
    }

    @Test
    void typedFormalPatternsBindDims() {
        Compilation c = ok("""
                def split_heads(x: f32[B, T, F], n: int) {
                  d = F / n
                  heads2(x, n, d)
                }
                def heads2(x: f32[B, T, n * d], n: int, d: int) -> f32[B, n, T, d] {
                  permute(reshape(x, [B, T, n, d]), [0, 2, 1, 3])
                }
                model M {
                  input x: f32[B, T, 8]
                  output y = split_heads(x, 2)
                }
                """);
        assertEquals("f32[B, 2, T, 4]", graph(c, "eval").output("y").orElseThrow().value().type().toString());
    }
}
