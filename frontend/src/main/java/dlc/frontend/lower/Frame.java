package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Span;

import java.util.*;

/**
 * One inlined call on the evaluator's stack. Frames give diagnostics their "in call to" notes,
 * give parameters their scope path ({@code encoder.dense_1.w}) and give random call sites their
 * stream salt.
 *
 * <p>Scope names are assigned lazily: a def call becomes a named scope only when a parameter or
 * state is declared inside it (directly or deeper), so calls that declare nothing do not shift
 * the numbering ({@code dense}, {@code dense_1}, ...) of calls that do.
 */
final class Frame {
    final Frame parent;
    final String fnName;
    final Span callSpan;
    /** Whether this frame opens a parameter scope (def calls do; lambdas and roots do not). */
    private final boolean scoped;
    private String scopeName;
    private final Map<String, Integer> scopeCounts = new HashMap<>();
    private final Map<String, Integer> callCounts = new HashMap<>();
    /** This call's name among its caller's calls of the same function: the random-stream path. */
    private final String siteName;
    private final String note;
    private int draws;

    private Frame(Frame parent, String fnName, Span callSpan, boolean scoped, String scopeName, String siteName, String note) {
        this.parent = parent;
        this.note = note;
        this.fnName = fnName;
        this.callSpan = callSpan;
        this.scoped = scoped;
        this.scopeName = scopeName;
        this.siteName = siteName;
    }

    /** The root of a lowering; scopePrefix names everything declared in it ("" for a model). */
    static Frame root(String scopePrefix, String sitePrefix) {
        return new Frame(null, null, null, false, scopePrefix, sitePrefix, null);
    }

    /** A call of fnName at callSpan; def calls are scoped, lambda calls are not. */
    Frame call(String name, Span span, boolean isScoped) {
        int k = callCounts.merge(name, 1, Integer::sum) - 1;
        return new Frame(this, name, span, isScoped, null, name + "_" + k, "in call to " + name);
    }

    /**
     * The evaluation of a parameter's initializer: unscoped, with its own random streams (named
     * after the parameter, so initial values do not depend on what else the model draws).
     */
    Frame initializer(String paramPath, Span span) {
        return new Frame(this, "init:" + paramPath, span, false, null, "init:" + paramPath,
                "in the initializer of " + paramPath);
    }

    boolean isRoot() { return parent == null; }

    /** Whether this frame is a call of the function named name (a recursive call stays in its scope). */
    boolean isCallOf(String name) { return name.equals(fnName); }

    /** Depth of inlining, for the recursion limit. */
    int depth() {
        int d = 0;
        for (Frame f = this; f.parent != null; f = f.parent) d++;
        return d;
    }

    /** The dotted scope path of this frame, naming the scopes on the way (see class comment). */
    String scopePath() {
        List<Frame> chain = new ArrayList<>();
        for (Frame f = this; f != null; f = f.parent) chain.add(f);
        Collections.reverse(chain);
        StringJoiner j = new StringJoiner(".");
        Frame owner = null;
        for (Frame f : chain) {
            if (f.parent == null) {
                owner = f;
                if (!f.scopeName.isEmpty()) j.add(f.scopeName);
                continue;
            }
            if (!f.scoped) continue;
            if (f.scopeName == null) {
                int k = owner.scopeCounts.merge(f.fnName, 1, Integer::sum) - 1;
                f.scopeName = k == 0 ? f.fnName : f.fnName + "_" + k;
            }
            j.add(f.scopeName);
            owner = f;
        }
        return j.toString();
    }

    /** The qualified name of a parameter or state declared here. */
    String qualify(String name) {
        String p = scopePath();
        return p.isEmpty() ? name : p + "." + name;
    }

    /** A new, distinct site string for a random draw in this frame, stable across lowerings. */
    String nextSite() {
        StringBuilder sb = new StringBuilder();
        List<String> parts = new ArrayList<>();
        for (Frame f = this; f != null; f = f.parent) parts.add(f.siteName);
        Collections.reverse(parts);
        for (String p : parts) sb.append('/').append(p);
        return sb.append('#').append(draws++).toString();
    }

    /** "in call to f at file:line:col" notes, innermost call first. */
    List<Diagnostic.Note> notes() {
        List<Diagnostic.Note> out = new ArrayList<>();
        for (Frame f = this; f.parent != null; f = f.parent)
            out.add(new Diagnostic.Note(f.callSpan, f.note));
        return out;
    }
}
