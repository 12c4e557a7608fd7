package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;

import java.util.List;

/**
 * Control ops: {@code stop_gradient} (here), {@code fusion} ({@link FusionOp}, a kernel group) and {@code scan} ({@link ScanOp}), the one loop of the
 * IR, whose body is a nested graph so that a 1000-step recurrence compiles to code whose size does
 * not depend on the number of steps.
 */
final class ControlOps {
    private ControlOps() {}

    /**
     * stop_gradient(x) = x. Forward it is the identity; autodiff gives it a zero VJP, which is
     * how a value is used as a constant (GAN discriminator targets, score-function estimators).
     */
    static final class StopGradient extends OpDef {
        StopGradient() { super("stop_gradient", Kind.ELEMENTWISE, java.util.Set.of(dlc.ir.OpTrait.ALIAS)); }

        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            Checks.arity(this, in, 1);
            return List.of(in.get(0));
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            return new Tensor[]{in[0]}; // tensors are immutable, so sharing the operand is safe
        }

        @Override public List<Value> vjp(VjpContext c) { return noGradient(c); }
    }
}
