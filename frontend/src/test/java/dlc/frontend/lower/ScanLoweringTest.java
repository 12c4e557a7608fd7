package dlc.frontend.lower;

import dlc.frontend.Compilation;
import dlc.ir.*;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static dlc.frontend.lower.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** scan lowering: bodies with captures, nested carries, reverse, length, random keys, nesting. */
class ScanLoweringTest {
    private static final String ELMAN = """
            def elman(xs: f32[B, T, F], hidden: int) {
              param wx: f32[F, hidden] = 0.0
              param wh: f32[hidden, hidden] = 0.0
              param b: f32[hidden] = 0.0
              cell = fn(h, x_t) {
                h2 = tanh(x_t @ wx + h @ wh + b)
                (h2, h2)
              }
              scan(cell, zeros([B, hidden]), xs)
            }
            model Rnn {
              input xs: f32[B, T, 2]
              h, hs = elman(xs, 2)
              output h
              output hs
            }
            """;

    @Test
    void elmanCellMatchesHandLoop() {
        Compilation c = ok(ELMAN);
        Graph g = graph(c, "eval");
        assertEquals("f32[B, 2]", g.output("h").orElseThrow().value().type().toString());
        assertEquals("f32[B, T, 2]", g.output("hs").orElseThrow().value().type().toString());
        Node scan = g.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
        Graph body = scan.regions().get(0);
        // carry, x slice, then the three captured parameters
        assertEquals(5, body.inputs().size());
        assertEquals(List.of("elman.wx", "elman.wh", "elman.b"), scan.inputs().subList(2, 5).stream().map(Value::name).toList());

        double[] wx = {0.5, -0.3, 0.2, 0.8}, wh = {0.1, 0.4, -0.6, 0.3}, b = {0.05, -0.1};
        double[] xs = {1.0, 2.0, -1.0, 0.5, 0.3, -0.7};
        Map<String, Tensor> r = run(g, Map.of("xs", t(new int[]{1, 3, 2}, xs), "elman.wx", t(new int[]{2, 2}, wx),
                "elman.wh", t(new int[]{2, 2}, wh), "elman.b", t(new int[]{2}, b)));
        double[] h = {0, 0};
        double[] all = new double[6];
        for (int step = 0; step < 3; step++) {
            double[] n = new double[2];
            for (int j = 0; j < 2; j++) {
                double z = b[j];
                for (int f = 0; f < 2; f++) z += xs[step * 2 + f] * wx[f * 2 + j];
                for (int k = 0; k < 2; k++) z += h[k] * wh[k * 2 + j];
                n[j] = Math.tanh(z);
            }
            h = n;
            all[step * 2] = h[0];
            all[step * 2 + 1] = h[1];
        }
        assertClose(h, r.get("h").data(), 1e-12);
        assertClose(all, r.get("hs").data(), 1e-12);
    }

    @Test
    void tupleCarriesReverseAndLength() {
        Compilation c = ok("""
                model M {
                  input xs: f32[4, 3]
                  (s, n), ys = scan(fn((acc, k), x) { ((acc + x, k + 1.0), acc) }, (zeros([3]), full([], 0.0)), xs, axis=0, reverse=true)
                  output s
                  output n
                  output ys
                  pw, _ = scan(fn(p) { (p * 2.0, none) }, full([], 1.0), length=5)
                  output pw
                  _, powers = scan(fn(p) { (p * 2.0, p) }, full([], 1.0), length=4)
                  output powers
                }
                """);
        double[] xs = {1, 2, 3, 10, 20, 30, 100, 200, 300, 1000, 2000, 3000};
        Map<String, Tensor> r = run(graph(c, "eval"), Map.of("xs", t(new int[]{4, 3}, xs)));
        assertClose(new double[]{1111, 2222, 3333}, r.get("s").data(), 0);
        assertClose(new double[]{4}, r.get("n").data(), 0);
        // reverse: step t=3 runs first with acc=0, so ys[3] = 0 and ys[0] = x1 + x2 + x3
        assertClose(new double[]{1110, 2220, 3330, 1100, 2200, 3300, 1000, 2000, 3000, 0, 0, 0}, r.get("ys").data(), 0);
        assertClose(new double[]{32}, r.get("pw").data(), 0);
        assertClose(new double[]{1, 2, 4, 8}, r.get("powers").data(), 0);
    }

    @Test
    void randomInsideScanThreadsAKey() {
        Compilation c = ok("""
                model M {
                  input xs: f32[B, T, 3]
                  _, noisy = scan(fn(c, x) { (c, x + normal(x.shape)) }, full([], 0.0), xs)
                  output noisy
                }
                """);
        Graph g = graph(c, "eval");
        Node scan = g.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
        assertEquals(2L, scan.attrs().get("num_carries"), "the key is one more carry");
        Tensor out = run(g, Map.of("xs", t(new int[]{1, 2, 3}, new double[6]), "rng", Tensor.scalar(DType.I64, 11))).get("noisy");
        double[] d = out.data();
        assertFalse(Arrays.equals(Arrays.copyOfRange(d, 0, 3), Arrays.copyOfRange(d, 3, 6)), "each step draws fresh numbers: " + out);
        Tensor again = run(g, Map.of("xs", t(new int[]{1, 2, 3}, new double[6]), "rng", Tensor.scalar(DType.I64, 11))).get("noisy");
        assertArrayEquals(d, again.data());
    }

    @Test
    void nestedScanCapturesThroughBothBodies() {
        Compilation c = ok("""
                model M {
                  input xs: f32[2, 3]
                  param w: f32[] = 0.0
                  total, _ = scan(fn(acc, row) {
                    inner, _ = scan(fn(a, v) { (a + v * w, none) }, acc, row, axis=0)
                    (inner, [])
                  }, full([], 0.0), xs, axis=0)
                  output total
                }
                """);
        Tensor total = run(graph(c, "eval"), Map.of("xs", t(new int[]{2, 3}, 1, 2, 3, 4, 5, 6), "w", t(new int[]{}, 2))).get("total");
        assertClose(new double[]{42}, total.data(), 1e-12);
    }

    @Test
    void scanMistakesAreDiagnostics() {
        String out = errors("""
                model M {
                  input v: f32[5]
                  _, a = scan(fn(c, x) { (c, x) }, full([], 0.0), v)
                  _, b = scan(fn(c) { (c, c) }, full([], 0.0), length=3, axis=-1)
                  _, d = scan(fn(c) { (c + 1, c) }, zeros([2]), length=3, axis=2)
                  c2, _ = scan(fn(c, x) { (1, none) }, 0, v, axis=0)
                }
                """);
        assertTrue(out.contains("scan steps over axis 1 by default (xs are [B, T, ...]), but xs is f32[5]"), out);
        assertTrue(out.contains("hint: pass axis=0 to step over the first axis"), out);
        assertTrue(out.contains("a scan without xs stacks its outputs on a non-negative axis, got -1"), out);
        assertTrue(out.contains("scan stacks per-step outputs on axis 2, but one is f32[2]"), out);
        assertTrue(out.contains("scan carries must be tensors or tuples of tensors, got an int"), out);
    }

    @Test
    void paramsUsedInScanAreDeclaredOnceOutside() {
        Compilation c = ok(ELMAN);
        Graph train = graph(c, "train");
        assertEquals(List.of("elman.wx", "elman.wh", "elman.b"), train.inputs(Value.Role.PARAM).stream().map(Value::name).toList());
    }
}
