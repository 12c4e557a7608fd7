package dlc.frontend.train;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.lower.Staging;

import java.util.*;

/**
 * Settings given from outside the file (the command line): each replaces the block's setting of
 * that name (or adds it), and {@code lr} replaces the {@code lr} argument of every optimizer call
 * in the block and its steps ({@code --lr 0.01} on {@code adam(lr=1e-3)} trains with
 * {@code adam(lr=0.01)}).
 */
final class TrainOverrides {
    /** The key that sets the optimizers' learning rate rather than a setting. */
    static final String LR = "lr";

    private TrainOverrides() {}

    /** block with overrides applied; null when one could not be (reported). */
    static Train apply(Staging staging, Train block, Map<String, Expr> overrides) {
        if (overrides.isEmpty()) return block;
        List<TrainItem> items = new ArrayList<>(block.items());
        int before = staging.errorCount();
        for (var e : overrides.entrySet()) {
            String name = e.getKey();
            Expr value = e.getValue();
            if (name.equals(LR)) {
                boolean[] found = {false};
                items = withLr(staging, items, value, found);
                // located at the block, not in the pseudo-file of the value: the block is what lacks an optimizer
                if (!found[0])
                    staging.report(staging.error(block.span(), "a learning rate (--lr) was given, but the train block for " + block.model()
                            + " has no optimizer: its params are updated by the model's own '<-' rules, which have no learning rate to set",
                            "drop --lr (a rule's rate is a model parameter: -P NAME=VALUE), or add an optimizer to the block, e.g. optimizer adam(lr=1e-3)"));
                continue;
            }
            List<String> known = new ArrayList<>(TrainSettings.STEP_SETTINGS);
            known.addAll(TrainSettings.BLOCK_SETTINGS);
            if (!known.contains(name)) {
                staging.report(staging.error(value.span(), "unknown train setting '" + name + "'",
                        Optional.ofNullable(Staging.didYouMean(name, known)).orElse("settings: " + String.join(", ", known))));
                continue;
            }
            TrainSetting replacement = new TrainSetting(value.span(), name, List.of(value));
            int at = -1;
            for (int i = 0; i < items.size(); i++) if (items.get(i) instanceof TrainSetting s && s.name().equals(name)) at = i;
            if (at >= 0) items.set(at, replacement);
            else items.add(0, replacement);
        }
        if (staging.errorCount() > before) return null;
        return new Train(block.span(), block.model(), items);
    }

    private static List<TrainItem> withLr(Staging staging, List<TrainItem> items, Expr lr, boolean[] found) {
        List<TrainItem> out = new ArrayList<>();
        for (TrainItem item : items) {
            if (item instanceof TrainStep s) {
                out.add(new TrainStep(s.span(), s.name(), withLr(staging, s.items(), lr, found)));
                continue;
            }
            TrainSetting s = (TrainSetting) item;
            if (!s.name().equals("optimizer") || s.values().isEmpty()) {
                out.add(s);
                continue;
            }
            found[0] = true;
            Expr v = s.values().get(0);
            if (!(v instanceof Call c)) {
                staging.report(staging.error(v.span(), "cannot set the learning rate of this optimizer: it is not a call such as adam(lr=1e-3)", null));
                out.add(s);
                continue;
            }
            List<Arg> args = new ArrayList<>();
            for (Arg a : c.args()) if (!LR.equals(a.name())) args.add(a);
            args.add(new Arg(lr.span(), LR, lr));
            out.add(new TrainSetting(s.span(), s.name(), List.of(new Call(c.span(), c.callee(), args))));
        }
        return out;
    }
}
