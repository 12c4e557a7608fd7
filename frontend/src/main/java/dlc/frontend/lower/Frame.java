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
 *
 * <p>A call of a {@link SharedInstance} ({@code enc = share(encoder)}; {@code enc(x)}) takes its
 * scope path from the instance's anchor, a scope opened once where the instance was made, so
 * every call of the instance declares into the same scope; the scopes inside each call are
 * numbered afresh, so every call names its parameters alike ({@code encoder.dense.w}).
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
    /** The shared instance this frame is a call of, or null for any other frame. */
    final SharedInstance instance;
    /** Which call of {@link #instance} this is: 0 for the first. */
    final int instanceCall;
    /** Paths of the instance declared or updated in this call (each at most once per call). */
    final Set<String> declaredHere = new HashSet<>(), updatedHere = new HashSet<>();

    private Frame(Frame parent, String fnName, Span callSpan, boolean scoped, String scopeName, String siteName, String note) {
        this(parent, fnName, callSpan, scoped, scopeName, siteName, note, null, 0);
    }

    private Frame(Frame parent, String fnName, Span callSpan, boolean scoped, String scopeName, String siteName, String note,
                  SharedInstance instance, int instanceCall) {
        this.instance = instance;
        this.instanceCall = instanceCall;
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
     * The scope of a shared instance made here by {@code share(fnName)}: named lazily like a call's
     * scope (fnName, fnName_1, ...) when the instance first declares something, or name when given.
     * It is never entered; calls of the instance ({@link #callShared}) borrow its path.
     */
    Frame anchor(String name, Span span, String fixedName) {
        return new Frame(this, name, span, true, fixedName, null, null);
    }

    /** The k-th call of a shared instance at span (its random sites are numbered like calls of its def). */
    Frame callShared(SharedInstance inst, Span span, int k) {
        String name = inst.anchor().fnName;
        int site = callCounts.merge(name, 1, Integer::sum) - 1;
        return new Frame(this, name, span, true, null, name + "_" + site, "in call to shared " + name, inst, k);
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
        if (parent == null) return scopeName;
        if (instance != null) return instance.anchor().scopePath();
        if (!scoped) return parent.scopePath();
        if (scopeName == null) {
            int k = parent.scopeOwner().scopeCounts.merge(fnName, 1, Integer::sum) - 1;
            scopeName = k == 0 ? fnName : fnName + "_" + k;
        }
        String p = parent.scopePath();
        return p.isEmpty() ? scopeName : p + "." + scopeName;
    }

    /** The frame whose counters number the scopes opened by calls made in this frame. */
    private Frame scopeOwner() {
        Frame f = this;
        while (f.parent != null && !f.scoped) f = f.parent;
        return f;
    }

    /**
     * The innermost call of a shared instance, on the way from this frame to the root, whose
     * instance owns path (declared it in its first call), or null.
     */
    Frame sharedCallOwning(String path) {
        for (Frame f = this; f != null; f = f.parent)
            if (f.instance != null && f.instance.paths().contains(path)) return f;
        return null;
    }

    /** Every call of a shared instance on the way from this frame to the root, innermost first. */
    List<Frame> sharedCalls() {
        List<Frame> out = new ArrayList<>();
        for (Frame f = this; f != null; f = f.parent) if (f.instance != null) out.add(f);
        return out;
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
