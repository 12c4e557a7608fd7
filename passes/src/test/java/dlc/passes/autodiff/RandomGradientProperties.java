package dlc.passes.autodiff;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import net.jqwik.api.*;

import java.util.*;

import static dlc.passes.autodiff.GraphsForGrad.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Random draws have zero gradient (MODELS.md 4.5): their rules give no cotangent to the key, and a
 * loss that multiplies a parameter by a draw differentiates to the draw itself (the reparameterised
 * noise is a constant).
 */
class RandomGradientProperties {
    static final List<String> RANDOM_OPS = List.of("rng_fold", "random_uniform", "random_normal");

    /** A node of {@code op} on a fresh key, and the VJP its rule gives under {@code rule}. */
    static List<Value> vjpOf(String op, Autodiff.Rule rule) {
        GraphBuilder b = new GraphBuilder(op);
        Value key = b.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Attrs attrs = op.equals("rng_fold") ? Attrs.of("salt", 3L) : Attrs.of("shape", Shape.of(2, 3), "dtype", DType.F64);
        Value y = b.op(op, attrs, key);
        Value g = b.op("broadcast_to", Attrs.of("shape", y.type().shape()),
                b.op("constant", Attrs.of("dtype", y.type().dtype(), "shape", Shape.SCALAR, "values", List.of(1.0))));
        VjpContext ctx = new VjpContext(b, y.producer(), List.of(key), List.of(y), Collections.singletonList(g), body -> {
            throw new AssertionError("no nested graphs here");
        });
        return rule.vjp(ctx);
    }

    static void assertNoGradient(String op, Autodiff.Rule rule) {
        List<Value> grads = vjpOf(op, rule);
        assertEquals(1, grads.size(), op);
        assertNull(grads.get(0), op + " must give its key no cotangent");
    }

    @Example
    void everyRandomOpGivesItsKeyNoCotangent() {
        for (String op : RANDOM_OPS) assertNoGradient(op, Ops.get(op)::vjp);
    }

    /** A planted rule that lets a cotangent reach the key is caught by the same check. */
    @Example
    void plantedNonzeroRandomVjpIsDetected() {
        Autodiff.Rule leaky = ctx -> List.of(ctx.zerosLike(ctx.input(0)));
        for (String op : RANDOM_OPS)
            assertThrows(org.opentest4j.AssertionFailedError.class, () -> assertNoGradient(op, leaky), op);
    }

    /** loss = sum(x * draw(fold(key)) * u): d loss/dx = draw * u, read back by running the draw. */
    @Property(tries = 30)
    void noiseMultiplyingAParameterIsAConstant(@ForAll long seed, @ForAll boolean normal) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        String op = normal ? "random_normal" : "random_uniform";
        GraphBuilder b = new GraphBuilder("noise");
        Value x = b.input("x", GradSupport.f64(s), Value.Role.INPUT);
        Value key = b.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value u = b.input("u", GradSupport.f64(s), Value.Role.INPUT);
        Value draw = b.op(op, Attrs.of("shape", Shape.of(toLongs(s)), "dtype", DType.F64), b.op("rng_fold", Attrs.of("salt", 7L), key));
        b.output("draw", Graph.Output.Role.OUTPUT, draw);
        b.output("loss", Graph.Output.Role.LOSS, all(b, "sum", b.op("mul", b.op("mul", x, draw), u)));
        Graph g = b.build();
        Map<String, Tensor> in = Map.of("x", tensor(s, r, r::nextGaussian), "key", Tensor.scalar(DType.I64, r.nextInt(1000)),
                "u", tensor(s, r, r::nextGaussian));
        Tensor d = Interpreter.run(g, in).get("draw");
        Tensor gx = GradSupport.grads(GradSupport.autodiff(), g, "loss", List.of("x"), in).get("x");
        for (int i = 0; i < gx.size(); i++) assertEquals(d.data()[i] * in.get("u").data()[i], gx.data()[i], 1e-12);
        assertTrue(GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("x", "u"), in, r).ok());
    }
}
