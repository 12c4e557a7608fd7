package dlc.cli.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Simple delta minimization over a program's tokens: removes ever smaller chunks of significant
 * tokens while the failure persists (ddmin's complement steps only), so a failing mutant is
 * reported as a short program. Bounded in the number of tries.
 */
final class DeltaMinimizer {
    private DeltaMinimizer() {}

    static String minimize(String text, Predicate<String> fails, int maxTries) {
        // keep line structure: a significant token that began a line keeps a newline before it
        List<String> current = withBreaks(text);
        int tries = 0;
        for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && tries < maxTries; chunk = chunk == 1 ? 0 : Math.max(1, chunk / 2)) {
            boolean removed = true;
            while (removed && tries < maxTries) {
                removed = false;
                for (int from = 0; from < current.size() && tries < maxTries; from += chunk) {
                    List<String> candidate = new ArrayList<>(current.subList(0, from));
                    candidate.addAll(current.subList(Math.min(current.size(), from + chunk), current.size()));
                    tries++;
                    if (fails.test(join(candidate))) {
                        current = candidate;
                        removed = true;
                        from -= chunk;
                    }
                }
            }
        }
        return join(current);
    }

    /** Significant tokens, each carrying the newline that preceded it (when one did). */
    private static List<String> withBreaks(String text) {
        List<String> out = new ArrayList<>();
        boolean newline = false;
        for (String t : ProgramMutator.tokens(text)) {
            if (!ProgramMutator.significant(t)) {
                if (t.contains("\n")) newline = true;
                continue;
            }
            out.add(newline ? "\n" + t : t);
            newline = false;
        }
        return out;
    }

    private static String join(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            if (sb.length() > 0 && !t.startsWith("\n")) sb.append(' ');
            sb.append(t);
        }
        return sb.append('\n').toString();
    }
}
