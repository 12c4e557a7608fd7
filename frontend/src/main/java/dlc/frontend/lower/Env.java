package dlc.frontend.lower;

import java.util.*;

/**
 * A lexical scope: names bound to values, and the scope it is nested in. Module scopes nest in the
 * prelude's, which nests in the builtins'; a def's body scope nests in its module's scope, a
 * lambda's in the scope where it was written.
 */
public final class Env {
    private final Env parent;
    private final Map<String, Val> vars = new LinkedHashMap<>();

    public Env(Env parent) { this.parent = parent; }

    public Env parent() { return parent; }

    /** The value bound to name here or in an enclosing scope, or null. */
    public Val lookup(String name) {
        for (Env e = this; e != null; e = e.parent) {
            Val v = e.vars.get(name);
            if (v != null) return v;
        }
        return null;
    }

    /** The value bound to name in this scope only, or null. */
    public Val local(String name) { return vars.get(name); }

    public void define(String name, Val v) { vars.put(name, Objects.requireNonNull(v)); }

    /** Names bound here, in binding order. */
    public Set<String> names() { return Collections.unmodifiableSet(vars.keySet()); }

    /** Every name visible from here, innermost first, for did-you-mean suggestions. */
    public List<String> visibleNames() {
        List<String> out = new ArrayList<>();
        for (Env e = this; e != null; e = e.parent) out.addAll(e.vars.keySet());
        return out;
    }
}
