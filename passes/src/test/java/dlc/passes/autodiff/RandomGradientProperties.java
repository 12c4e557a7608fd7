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
 * Random draws have zero gradient (docs/models.md 4.5): their rules give no cotangent to the key, and a
 * loss that multiplies a parameter by a draw differentiates to the draw itself (the reparameterised
 * noise is a constant).
 */
class RandomGradientProperties {
    static final List<OpDef> RANDOM_OPS = List.of(Ops.RNG_FOLD, Ops.RANDOM_UNIFORM, Ops.RANDOM_NORMAL);

    /** A node of {@code op} on a fresh key, and the VJP its rule gives under {@code rule}. */
    static List<Value> vjpOf(OpDef op, Autodiff.Rule rule) {
        GraphBuilder b = new GraphBuilder(op.name());
        Value key = b.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Attrs attrs = op == Ops.RNG_FOLD ? Attrs.of("salt", 3L) : Attrs.of("shape", Shape.of(2, 3), "dtype", DType.F64);
        Value y = b.op(op, attrs, key);
        Value g = b.op(Ops.BROADCAST_TO, Attrs.of("shape", y.type().shape()),
                b.op(Ops.CONSTANT, Attrs.of("dtype", y.type().dtype(), "shape", Shape.SCALAR, "values", List.of(1.0))));
        VjpContext ctx = new VjpContext(b, y.producer(), List.of(key), List.of(y), Collections.singletonList(g), body -> {
            throw new AssertionError("no nested graphs here");
        });
        return rule.vjp(ctx);
    }

    static void assertNoGradient(OpDef op, Autodiff.Rule rule) {
        List<Value> grads = vjpOf(op, rule);
        assertEquals(1, grads.size(), op.name());
        assertNull(grads.get(0), op + " must give its key no cotangent");
    }

    @Example
    void everyRandomOpGivesItsKeyNoCotangent() {
        for (OpDef op : RANDOM_OPS) assertNoGradient(op, op::vjp);
    }

    /** A planted rule that lets a cotangent reach the key is caught by the same check. */
    @Example
    void plantedNonzeroRandomVjpIsDetected() {
        Autodiff.Rule leaky = ctx -> List.of(ctx.zerosLike(ctx.input(0)));
        for (OpDef op : RANDOM_OPS)
            assertThrows(org.opentest4j.AssertionFailedError.class, () -> assertNoGradient(op, leaky), op.name());
    }

    /** loss = sum(x * draw(fold(key)) * u): d loss/dx = draw * u, read back by running the draw. */
    @Property(tries = 30)
    void noiseMultiplyingAParameterIsAConstant(@ForAll long seed, @ForAll boolean normal) {
        Random r = new Random(seed);
        int[] s = randomShape(r, 3);
        OpDef op = normal ? Ops.RANDOM_NORMAL : Ops.RANDOM_UNIFORM;
        GraphBuilder b = new GraphBuilder("noise");
        Value x = b.input("x", GradSupport.f64(s), Value.Role.INPUT);
        Value key = b.input("key", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value u = b.input("u", GradSupport.f64(s), Value.Role.INPUT);
        Value draw = b.op(op, Attrs.of("shape", Shape.of(toLongs(s)), "dtype", DType.F64), b.op(Ops.RNG_FOLD, Attrs.of("salt", 7L), key));
        b.output("draw", Graph.Output.Role.OUTPUT, draw);
        b.output("loss", Graph.Output.Role.LOSS, all(b, Ops.SUM, b.op(Ops.MUL, b.op(Ops.MUL, x, draw), u)));
        Graph g = b.build();
        Map<String, Tensor> in = Map.of("x", tensor(s, r, r::nextGaussian), "key", Tensor.scalar(DType.I64, r.nextInt(1000)),
                "u", tensor(s, r, r::nextGaussian));
        Tensor d = Interpreter.run(g, in).get("draw");
        Tensor gx = GradSupport.grads(GradSupport.autodiff(), g, "loss", List.of("x"), in).get("x");
        for (int i = 0; i < gx.size(); i++) assertEquals(d.data()[i] * in.get("u").data()[i], gx.data()[i], 1e-12);
        assertTrue(GradCheck.check(GradSupport.autodiff(), g, "loss", List.of("x", "u"), in, r).ok());
    }
}
