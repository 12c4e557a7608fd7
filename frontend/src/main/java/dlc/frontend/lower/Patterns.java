package dlc.frontend.lower;

import dlc.frontend.ast.Ast.*;
import dlc.frontend.lower.Val.*;

/** Binding of assignment and lambda-parameter patterns: names, {@code _} and nested tuples. */
final class Patterns {
    private Patterns() {}

    static void bind(Interp in, Pattern p, Val v, Env env) {
        if (p instanceof NamePattern n) env.define(n.name(), v);
        else if (p instanceof TuplePattern t) {
            if (!(v instanceof SeqV s))
                throw in.error(p.span(), "cannot unpack " + Vals.kind(v) + " into " + t.items().size() + " names",
                        v instanceof TensorV ? "index the tensor instead, e.g. x[0]" : null);
            if (s.items().size() != t.items().size())
                throw in.error(p.span(), "cannot unpack a " + (s.list() ? "list" : "tuple") + " of " + s.items().size()
                        + " values into " + t.items().size() + " names",
                        "write exactly " + s.items().size() + " names, using _ for the values you do not need");
            for (int i = 0; i < t.items().size(); i++) bind(in, t.items().get(i), s.items().get(i), env);
        }
        // a wildcard binds nothing
    }

    /** Binds every name in p to the error value, after the statement binding it failed. */
    static void bindError(Pattern p, Env env) {
        if (p instanceof NamePattern n) env.define(n.name(), ErrorV.ERROR);
        else if (p instanceof TuplePattern t) for (Pattern q : t.items()) bindError(q, env);
    }

    /** Names a pattern binds, for lambda keyword arguments: the name of a plain name pattern, else null. */
    static String nameOf(Pattern p) { return p instanceof NamePattern n ? n.name() : null; }
}
