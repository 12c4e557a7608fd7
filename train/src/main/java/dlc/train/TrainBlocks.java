package dlc.train;

import dlc.frontend.Compilation;
import dlc.frontend.train.TrainPlan;
import dlc.ir.Module;

/**
 * From a compiled file to what the trainer runs: the {@link TrainPlan} the front end made of the
 * model's {@code train} block ({@code Compilation.train()}, read as is) and a {@link Trainer} of
 * the block's lowered step graphs. Command-line overrides (epochs, batch, seed, learning rate)
 * are given to the compiler ({@code Frontend.compile}'s train overrides), so they reach the plan
 * and the step graphs alike.
 */
public final class TrainBlocks {
    private TrainBlocks() {}

    /**
     * The plan of {@code module}'s train block in {@code c}; a {@link TrainException} when the file
     * has none, or when the block names no data to train on.
     */
    public static TrainPlan plan(Compilation c, Module module) {
        TrainPlan plan = c.train();
        if (plan == null)
            throw new TrainException("no train block for model " + module.name() + "; add one, e.g.\n  train " + module.name()
                    + " {\n    data moons(n=512)\n    optimizer adam(lr=1e-3)\n    batch 32\n    epochs 10\n  }");
        if (plan.data() == null)
            throw new TrainException("the train block of " + plan.model() + " has no data setting; add e.g. data moons(n=512)");
        return plan;
    }

    /** The trainer of {@code plan} on {@code module}'s graphs; a {@link TrainException} naming the module's graphs when a step graph is missing. */
    public static Trainer trainer(Module module, TrainPlan plan, Executor executor) {
        return Trainer.of(module, plan, executor);
    }
}
