package dlc.frontend.train;

import dlc.frontend.lower.Staging;
import dlc.ir.Value;

import java.util.*;

/**
 * Which params each step changes, and how. A step with an optimizer updates the params its
 * {@code params} prefixes select (a path equal to a prefix or starting with it and a dot; by
 * default every floating param that no {@code <-} rule updates) with the gradient of its loss
 * (default {@code loss}). A rule-only step (no optimizer in it or the block) applies the model's
 * {@code <-} updates of params, those its prefixes select or all. Rules no rule-only step takes
 * are applied by the last step. A param updated by an optimizer and by a rule is an error.
 *
 * @param params the params its optimizer updates, in the model's order
 * @param rules  the params whose {@code <-} updates it applies
 * @param loss   the loss it differentiates or reports; null for none
 */
record StepSets(BlockSettings.StepPlan plan, List<String> params, List<String> rules, String loss) {

    static List<StepSets> resolve(Staging staging, BlockSettings plan, TrainLowering.Model model) {
        List<StepSets> out = new ArrayList<>();
        Set<String> ruleTaken = new HashSet<>();
        for (BlockSettings.StepPlan s : plan.steps()) {
            List<String> selected = model.params.stream().filter(p -> s.prefixes() == null || matches(p, s.prefixes())).toList();
            // prefixes that match nothing and unknown loss names are reported by the front end's check of train blocks
            if (s.optimizer() == null) {
                List<String> rules = selected.stream().filter(model.paramRules::containsKey).toList();
                ruleTaken.addAll(rules);
                String loss = s.loss() != null ? s.loss() : model.losses.contains("loss") ? "loss" : null;
                out.add(new StepSets(s, List.of(), rules, loss));
                continue;
            }
            String loss = s.loss() != null ? s.loss() : "loss";
            if (!model.losses.contains(loss) && s.loss() == null)
                report(staging, s, "step '" + s.name() + "' has an optimizer but the model has no loss named 'loss'",
                        model.losses.isEmpty() ? "declare one in the model: loss <scalar expression>" : "name one of its losses: loss " + String.join(", ", model.losses));
            List<String> params = new ArrayList<>();
            for (String p : selected) {
                boolean floating = model.param(p).type().dtype().isFloating();
                if (model.paramRules.containsKey(p)) {
                    if (s.prefixes() != null)
                        staging.report(staging.error(s.paramsSpan(), "param '" + p + "' is updated both by its own rule ('<-' in the model) and by the optimizer of step '" + s.name() + "'",
                                "leave it out of the step's params, or drop the rule"));
                } else if (floating) params.add(p);
                else if (s.prefixes() != null)
                    staging.report(staging.error(s.paramsSpan(), "param '" + p + "' is " + model.param(p).type() + ", which has no gradient", "leave it out of the step's params"));
            }
            if (params.isEmpty() && selected.stream().noneMatch(model.paramRules::containsKey))
                report(staging, s, "step '" + s.name() + "' has an optimizer but no parameter to update", null);
            out.add(new StepSets(s, params, List.of(), loss));
        }
        if (model.paramRules.isEmpty() && out.stream().allMatch(s -> s.plan().optimizer() == null))
            staging.report(staging.error(plan.steps().get(0).span(), "nothing to train: the train block has no optimizer and the model updates no param with '<-'",
                    "add a setting such as: optimizer adam(lr=1e-3)"));
        // rules no rule-only step applies go with the last step
        List<String> left = model.paramRules.keySet().stream().filter(p -> !ruleTaken.contains(p)).toList();
        if (!left.isEmpty()) {
            StepSets last = out.get(out.size() - 1);
            List<String> rules = new ArrayList<>(last.rules());
            for (String p : left)
                if (!last.params().contains(p) && !rules.contains(p)) rules.add(p);
            out.set(out.size() - 1, new StepSets(last.plan(), last.params(), rules, last.loss()));
        }
        return out;
    }

    static boolean matches(String path, List<String> prefixes) {
        for (String p : prefixes) if (path.equals(p) || path.startsWith(p + ".")) return true;
        return false;
    }

    private static void report(Staging staging, BlockSettings.StepPlan s, String message, String hint) {
        staging.report(staging.error(s.span(), message, hint));
    }
}
