package dlc.bench;

import dlc.codegen.jvm.JvmCompiler;
import dlc.ir.Attrs;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Graph;
import dlc.ir.GraphBuilder;
import dlc.ir.Shape;
import dlc.ir.TensorType;
import dlc.ir.Value;
import dlc.ir.ops.Ops;
import dlc.passes.autodiff.Autodiff;
import dlc.runtime.CompiledGraph;
import dlc.runtime.Signature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Milliseconds per forward + backward pass of the reference CNN (the peers' DjlBench: conv 3x3
 * pad 1 1->32, relu, max pool 2, conv 3x3 pad 1 32->64, relu, max pool 2, dense 3136->128, relu,
 * dense 128->10) compiled by the JVM backend, gradients for every parameter. The loss is a linear
 * functional of the logits (the softmax cross-entropy of 64x10 logits is negligible work) and the
 * SGD update is left out: this times the layers the conv kernels serve, end to end through the
 * generated code (permutes, bias adds and their reductions included).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Ddlc.threads=1 -cp 'bench/target/classes:bench/target/lib/*' dlc.bench.CnnStepBench [batch] [reps]
 * </pre>
 */
public final class CnnStepBench {
    private CnnStepBench() {}

    static Graph cnn() {
        Dim b = Dim.sym("B");
        GraphBuilder g = new GraphBuilder("cnn");
        Value x = g.input("x", new TensorType(DType.F32, Shape.of(b, Dim.of(1), Dim.of(28), Dim.of(28))), Value.Role.INPUT);
        Value w1 = g.input("w1", TensorType.of(DType.F32, 32, 1, 3, 3), Value.Role.PARAM);
        Value b1 = g.input("b1", TensorType.of(DType.F32, 1, 32, 1, 1), Value.Role.PARAM);
        Value w2 = g.input("w2", TensorType.of(DType.F32, 64, 32, 3, 3), Value.Role.PARAM);
        Value b2 = g.input("b2", TensorType.of(DType.F32, 1, 64, 1, 1), Value.Role.PARAM);
        Value w3 = g.input("w3", TensorType.of(DType.F32, 3136, 128), Value.Role.PARAM);
        Value b3 = g.input("b3", TensorType.of(DType.F32, 128), Value.Role.PARAM);
        Value w4 = g.input("w4", TensorType.of(DType.F32, 128, 10), Value.Role.PARAM);
        Value b4 = g.input("b4", TensorType.of(DType.F32, 10), Value.Role.PARAM);
        Value u = g.input("u", new TensorType(DType.F32, Shape.of(b, Dim.of(10))), Value.Role.INPUT);
        Attrs same = Attrs.of("padding", new long[]{1, 1, 1, 1}), pool = Attrs.of("kernel", new long[]{2, 2});
        Value h1 = g.op(Ops.MAX_POOL2D, pool, g.op(Ops.RELU, g.op(Ops.ADD, g.op(Ops.CONV2D, same, x, w1), b1)));
        Value h2 = g.op(Ops.MAX_POOL2D, pool, g.op(Ops.RELU, g.op(Ops.ADD, g.op(Ops.CONV2D, same, h1, w2), b2)));
        Value f = g.op(Ops.RESHAPE, Attrs.of("shape", Shape.of(b, Dim.of(3136))), h2);
        Value h3 = g.op(Ops.RELU, g.op(Ops.ADD, g.op(Ops.MATMUL, f, w3), b3));
        Value logits = g.op(Ops.ADD, g.op(Ops.MATMUL, h3, w4), b4);
        g.output("loss", Graph.Output.Role.LOSS, g.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L), "keepdims", false), g.op(Ops.MUL, logits, u)));
        return new Autodiff().gradients(g.build(), "loss", List.of("w1", "b1", "w2", "b2", "w3", "b3", "w4", "b4"));
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64, reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long t0 = System.nanoTime();
        CompiledGraph step = JvmCompiler.load(cnn());
        System.out.printf("compiled in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        Signature sig = step.signature();
        long[] symbols = new long[sig.symbols().size()];
        symbols[sig.symbols().indexOf("B")] = batch;
        Random r = new Random(1);
        List<Object> in = new ArrayList<>();
        for (Signature.Port p : sig.inputs()) {
            float[] a = new float[p.numel(sig, symbols)];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 0.05);
            in.add(a);
        }
        Object[] args0 = in.toArray();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Math.max(10, reps); i++) step.run(args0, symbols);
        double[] wall = new double[reps], cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long w = System.nanoTime(), c = threads.getCurrentThreadCpuTime();
            step.run(args0, symbols);
            cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
            wall[i] = (System.nanoTime() - w) / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("reference CNN forward+backward, batch %d, %d threads: median %.2f ms wall, %.2f ms caller-thread CPU (min %.2f / %.2f)%n",
                batch, dlc.runtime.Parallel.threads(), wall[reps / 2], cpu[reps / 2], wall[0], cpu[0]);
    }
}
