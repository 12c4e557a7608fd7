package dlc.examples;

import dlc.data.Dataset;
import dlc.data.Synthetic;
import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.passes.autodiff.Autodiff;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small examples learn on their built-in data sets: full-batch Adam driven from Java (the real
 * optimizers belong to the training pipeline) on the gradients the autodiff pass derives from
 * the train graph. This exercises the standard library end to end: init, train-mode forward,
 * differentiability, and that the losses point downhill.
 */
class LearningTest {

    /** Runs {@code steps} full-batch Adam steps on {@code loss}; returns the loss before each step. */
    static List<Double> adam(ModelRunner r, String loss, Map<String, Tensor> data, int steps, double lr) {
        Graph train = ModelRunner.graph(r.module, "train");
        List<String> params = train.inputs().stream().filter(v -> v.role() == Value.Role.PARAM).map(Value::name).toList();
        Graph g = new Autodiff().gradients(train, loss, params);
        Map<String, Tensor> values = new HashMap<>(r.initial);
        Map<String, double[]> m = new HashMap<>(), v = new HashMap<>();
        for (String p : params) {
            m.put(p, new double[values.get(p).size()]);
            v.put(p, new double[values.get(p).size()]);
        }
        List<Double> history = new ArrayList<>();
        for (int t = 1; t <= steps; t++) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            for (Value x : g.inputs()) {
                if (data.containsKey(x.name())) in.put(x.name(), data.get(x.name()));
                else if (values.containsKey(x.name())) in.put(x.name(), values.get(x.name()));
                else if (ModelRunner.isRngKey(x)) in.put(x.name(), Tensor.scalar(DType.I64, 1000 + t));
                else throw new AssertionError("no value for " + x);
            }
            Tensor[] out = Interpreter.run(g, in.values().toArray(new Tensor[0]), new HashMap<>());
            for (int k = 0; k < out.length; k++) {
                Graph.Output o = g.outputs().get(k);
                if (o.name().equals(loss) && o.role() == Graph.Output.Role.LOSS) history.add(out[k].item());
                if (o.role() == Graph.Output.Role.GRAD) {
                    Tensor w = values.get(o.name());
                    double[] theta = w.data().clone(), gr = out[k].data(), mm = m.get(o.name()), vv = v.get(o.name());
                    for (int i = 0; i < theta.length; i++) {
                        mm[i] = 0.9 * mm[i] + 0.1 * gr[i];
                        vv[i] = 0.999 * vv[i] + 0.001 * gr[i] * gr[i];
                        theta[i] -= lr * (mm[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(vv[i] / (1 - Math.pow(0.999, t))) + 1e-8);
                    }
                    values.put(o.name(), new Tensor(w.dtype(), w.shape(), theta));
                }
            }
        }
        return history;
    }

    private static double mean(List<Double> xs, int from, int to) {
        return xs.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static void assertLearns(String what, List<Double> h, double factor) {
        double first = h.get(0), last = mean(h, h.size() - 5, h.size());
        for (double l : h) assertTrue(Double.isFinite(l), what + ": loss became " + l);
        assertTrue(last < factor * first, what + ": loss " + first + " -> " + last + " (wanted below " + factor + "x)");
    }

    @Test
    void mlpLearnsSpirals() {
        ModelRunner r = ModelRunner.compile(ExamplesForwardTest.EXAMPLES.resolve("mlp.dl"), 1);
        Dataset d = Synthetic.byName("spirals", 150, 3);
        List<Double> h = adam(r, "loss", d.tensors(), 120, 0.02);
        assertLearns("mlp on spirals", h, 0.3);      // from about ln 3 = 1.10 to about 0.07
    }

    @Test
    void realNvpRaisesTheLikelihoodOfMoons() {
        ModelRunner r = ModelRunner.compile(ExamplesForwardTest.EXAMPLES.resolve("realnvp.dl"), 1);
        Map<String, Tensor> data = Map.of("x", Synthetic.byName("two_moons", 128, 4).tensors().get("x"));
        List<Double> h = adam(r, "loss", data, 80, 0.01);
        double first = h.get(0), last = mean(h, h.size() - 5, h.size());
        assertTrue(last < first - 0.5, "NLL per sample " + first + " -> " + last);
    }

    @Test
    void elmanRnnFitsTheNextSineValue() {
        ModelRunner r = ModelRunner.compile(ExamplesForwardTest.EXAMPLES.resolve("rnn.dl"), 1);
        List<Double> h = adam(r, "loss", Synthetic.byName("sine", 64, 5).tensors(), 60, 0.01);
        assertLearns("rnn on sine", h, 0.1);         // from about 0.85 to about 0.003
    }
}
