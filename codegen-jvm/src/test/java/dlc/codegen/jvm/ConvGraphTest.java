package dlc.codegen.jvm;

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
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * Convolution and pooling graphs compiled by the JVM backend (JvmCompiler, bytecode verified)
 * against the float64 interpreter ({@link Agreement}), forward and through autodiff: the VJPs
 * bring in conv_transpose2d, the weight-gradient conv2d over permuted operands (ConvGradients),
 * max_pool2d_scatter and the avg-pool transpose.
 */
class ConvGraphTest {
    private static final Dim B = Dim.sym("B");

    /** The dtype of the graphs being built: f32 (float storage, GEMM kernels) or f64 (double storage, loop kernels). */
    private static DType dtype = DType.F32;

    private static Value input(GraphBuilder b, String name, Value.Role role, Dim... dims) {
        return b.input(name, new TensorType(dtype, Shape.of(dims)), role);
    }

    private static Dim[] d(long... v) {
        Dim[] out = new Dim[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Dim.of(v[i]);
        return out;
    }

    private static Dim[] batch(long... rest) {
        Dim[] out = new Dim[rest.length + 1];
        out[0] = B;
        System.arraycopy(d(rest), 0, out, 1, rest.length);
        return out;
    }

    private static Value sumAll(GraphBuilder b, Value v) {
        return b.op(Ops.SUM, Attrs.of("axes", List.of(0L, 1L, 2L, 3L), "keepdims", false), v);
    }

    /** Every op of the family in one graph: padded conv + bias + relu, max pool, grouped strided-window conv, avg pool, strided transpose. */
    private static Graph mixed() {
        GraphBuilder b = new GraphBuilder("mixed");
        Value x = input(b, "x", Value.Role.INPUT, batch(2, 11, 11));
        Value w1 = input(b, "w1", Value.Role.PARAM, d(4, 2, 3, 3));
        Value b1 = input(b, "b1", Value.Role.PARAM, d(1, 4, 1, 1));
        Value w2 = input(b, "w2", Value.Role.PARAM, d(6, 2, 3, 3));
        Value w3 = input(b, "w3", Value.Role.PARAM, d(6, 3, 2, 2));
        Value u = input(b, "u", Value.Role.INPUT, batch(3, 4, 2));
        Value y1 = b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.CONV2D, Attrs.of("padding", new long[]{1, 1, 1, 1}), x, w1), b1));
        Value p1 = b.op(Ops.MAX_POOL2D, Attrs.of("kernel", new long[]{2, 2}), y1);                         // [B, 4, 5, 5]
        Value y2 = b.op(Ops.CONV2D, Attrs.of("padding", new long[]{1, 0, 1, 0}, "groups", 2L, "dilation", new long[]{1, 2}), p1, w2); // [B, 6, 4, 2]
        Value p2 = b.op(Ops.AVG_POOL2D, Attrs.of("kernel", new long[]{2, 2}, "stride", new long[]{2, 1}, "padding", new long[]{0, 0, 1, 0},
                "count_include_pad", false), y2);                                                       // [B, 6, 2, 2]
        Value y3 = b.op(Ops.CONV_TRANSPOSE2D, Attrs.of("stride", new long[]{2, 2}, "padding", new long[]{0, 0, 1, 1},
                "output_padding", new long[]{0, 0}), p2, w3);                                           // [B, 3, 4, 2]
        b.output("y", Graph.Output.Role.OUTPUT, y3);
        b.output("loss", Graph.Output.Role.LOSS, sumAll(b, b.op(Ops.MUL, y3, u)));
        return b.build();
    }

    /** The reference CNN (the peers' DjlBench) at 28x28, without the dense head: conv 3x3 p1 1->8, max pool 2, conv 3x3 p1 8->16, max pool 2. */
    private static Graph referenceCnn() {
        GraphBuilder b = new GraphBuilder("cnn");
        Value x = input(b, "x", Value.Role.INPUT, batch(1, 28, 28));
        Value w1 = input(b, "w1", Value.Role.PARAM, d(8, 1, 3, 3));
        Value b1 = input(b, "b1", Value.Role.PARAM, d(1, 8, 1, 1));
        Value w2 = input(b, "w2", Value.Role.PARAM, d(16, 8, 3, 3));
        Value b2 = input(b, "b2", Value.Role.PARAM, d(1, 16, 1, 1));
        Value u = input(b, "u", Value.Role.INPUT, batch(16, 7, 7));
        Attrs same = Attrs.of("padding", new long[]{1, 1, 1, 1}), pool = Attrs.of("kernel", new long[]{2, 2});
        Value h1 = b.op(Ops.MAX_POOL2D, pool, b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.CONV2D, same, x, w1), b1)));
        Value h2 = b.op(Ops.MAX_POOL2D, pool, b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.CONV2D, same, h1, w2), b2)));
        b.output("loss", Graph.Output.Role.LOSS, sumAll(b, b.op(Ops.MUL, h2, u)));
        return b.build();
    }

    @Test
    void mixedForward() {
        Agreement.check(mixed(), Map.of("B", 3L), 31, true);
        Agreement.check(mixed(), Map.of("B", 2L), 32, false);
    }

    @Test
    void mixedGradients() {
        Graph g = new Autodiff().gradients(mixed(), "loss", List.of("x", "w1", "b1", "w2", "w3"));
        Agreement.check(g, Map.of("B", 3L), 33, true);
        Agreement.check(g, Map.of("B", 1L), 34, false);
        Agreement.check(g, Map.of("B", 0L), 38, true); // an empty batch
    }

    @Test
    void referenceCnnGradients() {
        Graph g = new Autodiff().gradients(referenceCnn(), "loss", List.of("w1", "b1", "w2", "b2"));
        Agreement.check(g, Map.of("B", 4L), 35, true);
    }

    /**
     * Inference: each conv + bias + relu group whose result only a 2x2 max pool reads runs
     * Conv.conv2dMaxPool2 and its pool Conv.maxPool2AfterConv (ConvPoolFusion), and the pooled maps
     * agree with the interpreter (both convs pool in the direct kernel's epilogue, the first with
     * rows of two vectors). The
     * training graph keeps the relu outputs for the backward pass, so its pools stay nodes (the
     * first on its own, the second inside the group after it).
     */
    @Test
    void referenceCnnInferenceFusesThePools() {
        GraphBuilder b = new GraphBuilder("cnnInfer");
        Value x = input(b, "x", Value.Role.INPUT, batch(3, 28, 28));
        Value w1 = input(b, "w1", Value.Role.PARAM, d(8, 3, 3, 3));
        Value b1 = input(b, "b1", Value.Role.PARAM, d(1, 8, 1, 1));
        Value w2 = input(b, "w2", Value.Role.PARAM, d(16, 8, 3, 3));
        Value b2 = input(b, "b2", Value.Role.PARAM, d(1, 16, 1, 1));
        Attrs same = Attrs.of("padding", new long[]{1, 1, 1, 1}), pool = Attrs.of("kernel", new long[]{2, 2});
        Value h1 = b.op(Ops.MAX_POOL2D, pool, b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.CONV2D, same, x, w1), b1)));
        Value h2 = b.op(Ops.MAX_POOL2D, pool, b.op(Ops.RELU, b.op(Ops.ADD, b.op(Ops.CONV2D, same, h1, w2), b2)));
        b.output("h2", Graph.Output.Role.OUTPUT, h2);
        Graph g = b.build();
        CompiledClasses cc = JvmCompiler.compile(g, "dlc.gen.CnnPoolFusion");
        if (!calls(cc, "conv2dMaxPool2") || !calls(cc, "maxPool2AfterConv"))
            throw new AssertionError("the inference graph's conv + pool pairs were not fused");
        Agreement.check(g, Map.of("B", 5L), 39, true);
        Agreement.check(g, Map.of("B", 1L), 40, true);

        Graph tg = new Autodiff().gradients(referenceCnn(), "loss", List.of("w1", "b1", "w2", "b2"));
        CompiledClasses train = JvmCompiler.compile(tg, "dlc.gen.CnnPoolTrain");
        if (calls(train, "conv2dMaxPool2") || calls(train, "maxPool2AfterConv"))
            throw new AssertionError("the training graph's pools must stay as they are");
        Agreement.check(tg, Map.of("B", 2L), 41, true);
    }

    /** Whether some generated method calls the runtime's Conv.{@code method}. */
    private static boolean calls(CompiledClasses cc, String method) {
        boolean[] found = {false};
        for (byte[] bytes : cc.classes().values())
            new org.objectweb.asm.ClassReader(bytes).accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
                @Override public org.objectweb.asm.MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                    return new org.objectweb.asm.MethodVisitor(org.objectweb.asm.Opcodes.ASM9) {
                        @Override public void visitMethodInsn(int op, String owner, String m, String d, boolean itf) {
                            if (owner.endsWith("/Conv") && m.equals(method)) found[0] = true;
                        }
                    };
                }
            }, 0);
        return found[0];
    }

    /** The same graphs in f64: every kernel's double form, forward and gradients. */
    @Test
    void f64Graphs() {
        try {
            dtype = DType.F64;
            Agreement.check(new Autodiff().gradients(mixed(), "loss", List.of("x", "w1", "b1", "w2", "w3")), Map.of("B", 2L), 37, true);
        } finally {
            dtype = DType.F32;
        }
    }

    /** Second order: the gradient of a gradient runs conv2d's VJP of the transpose and the gather of the scatter. */
    @Test
    void gradientOfGradient() {
        Graph g = new Autodiff().gradients(mixed(), "loss", List.of("w1"));
        GraphBuilder b = new GraphBuilder("outer");
        // loss2 = sum(grad_w1 * v) as a new scalar, differentiated with respect to x and w2
        Map<Value, Value> map = new java.util.IdentityHashMap<>();
        for (Value v : g.inputs()) map.put(v, b.input(v.name(), v.type(), v.role()));
        Value v = b.input("v", TensorType.of(DType.F32, 4, 2, 3, 3), Value.Role.INPUT);
        for (var n : g.nodes()) {
            List<Value> ins = n.inputs().stream().map(map::get).toList();
            List<Value> outs = b.op(n.op(), n.attrs(), n.regions(), ins);
            for (int i = 0; i < outs.size(); i++) map.put(n.outputs().get(i), outs.get(i));
        }
        Value gw1 = map.get(g.output("w1").orElseThrow().value());
        b.output("loss2", Graph.Output.Role.LOSS, sumAll(b, b.op(Ops.MUL, gw1, v)));
        Graph outer = new Autodiff().gradients(b.build(), "loss2", List.of("x", "w2"));
        Agreement.check(outer, Map.of("B", 2L), 36, true);
    }
}
