package dlc.train;

import dlc.frontend.Compilation;
import dlc.ir.Module;

/**
 * From a compiled file to what the trainer runs: the {@link TrainPlan} of the model's
 * {@code train} block (through {@link TrainConfigs}) and a {@link Trainer} of the block's lowered
 * step graphs. Command-line overrides (epochs, batch, seed, learning rate) are given to the
 * compiler ({@code Frontend.compile}'s train overrides), so they reach the step graphs too.
 */
public final class TrainBlocks {
    private TrainBlocks() {}

    /** The plan of {@code module}'s train block in {@code c}; a {@link TrainException} when the file has none. */
    public static TrainPlan plan(Compilation c, Module module) {
        if (c.train() == null)
            throw new TrainException("no train block for model " + module.name() + "; add one, e.g.\n  train " + module.name()
                    + " {\n    data moons(n=512)\n    optimizer adam(lr=1e-3)\n    batch 32\n    epochs 10\n  }");
        return TrainConfigs.plan(c.train());
    }

    /** The trainer of {@code plan} on {@code module}'s graphs; a {@link TrainException} naming the module's graphs when a step graph is missing. */
    public static Trainer trainer(Module module, TrainPlan plan, Executor executor) {
        return Trainer.of(module, plan, executor);
    }
}
