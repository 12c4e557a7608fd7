package dlc.frontend.lower;

import java.util.Collection;

/** "Did you mean" suggestions by edit distance. */
final class Names {
    private Names() {}

    /** The closest candidate within a small edit distance (about a third of the name), or null. */
    static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        int limit = Math.max(1, name.length() / 3);
        for (String c : candidates) {
            if (c.equals(name)) continue;
            int d = distance(name, c);
            if (d <= limit && d < bestD) {
                best = c;
                bestD = d;
            }
        }
        return best;
    }

    /** A "did you mean X?" hint, or null when nothing is close. */
    static String didYouMean(String name, Collection<String> candidates) {
        String c = closest(name, candidates);
        return c == null ? null : "did you mean '" + c + "'?";
    }

    /** Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours costs 1. */
    static int distance(String a, String b) {
        int n = a.length(), m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) d[i][0] = i;
        for (int j = 0; j <= m; j++) d[0][j] = j;
        for (int i = 1; i <= n; i++)
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[n][m];
    }
}
