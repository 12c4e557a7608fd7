package dlc.bench;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float64 reference interpreter behind the {@link Executor} interface: converts the flat
 * arrays to interpreter tensors and back on every run (slow and allocating; it checks, it is never timed).
 */
final class InterpreterExecutor implements Executor {
    private final Graph graph;
    private final GraphSignature signature;

    InterpreterExecutor(Graph graph) {
        this.graph = graph;
        this.signature = GraphSignature.of(graph);
    }

    @Override public List<String> symbols() { return signature.symbols(); }

    @Override public List<In> inputs() { return signature.inputs(); }

    @Override public List<Out> outputs() { return signature.outputs(); }

    @Override public Object[] run(Object[] in, long[] symbolValues) {
        Map<String, Long> env = new HashMap<>();
        for (int i = 0; i < symbols().size(); i++) env.put(symbols().get(i), symbolValues[i]);
        Map<String, Tensor> args = new LinkedHashMap<>();
        for (int i = 0; i < in.length; i++) {
            Value v = graph.inputs().get(i);
            args.put(v.name(), new Tensor(v.type().dtype(), v.type().shape().eval(env), toDoubles(in[i])));
        }
        Map<String, Tensor> res = Interpreter.run(graph, args);
        Object[] out = new Object[outputs().size()];
        for (int i = 0; i < out.length; i++) {
            Tensor t = res.get(outputs().get(i).name());
            out[i] = t.dtype() == DType.F32 ? toFloats(t.data()) : t.data().clone();
        }
        return out;
    }

    static double[] toDoubles(Object a) {
        if (a instanceof double[] d) return d.clone();
        float[] f = (float[]) a;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
