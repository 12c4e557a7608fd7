package dlc.frontend.ast;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Prints an {@link Ast} as canonical .dl source that parses back to the same tree (spans aside):
 * two-space indentation, one statement per line, a blank line between declarations, spaces
 * around binary operators, and parentheses only where precedence needs them.
 *
 * <p>Precedence, tightest first, as the grammar fixes it: member/call/index, {@code **} (right
 * associative), unary {@code - +}, {@code * / % @}, {@code + -}, comparisons, {@code not},
 * {@code and}, {@code or}, then {@code if} and {@code fn}. An {@code if} or {@code fn} inside an
 * operator is always parenthesized. {@code else if ...} is printed for an else block holding one
 * {@code if} expression statement (the form the parser builds from it).
 *
 * <p>Trees no .dl text can produce are rejected with {@link IllegalArgumentException}: an empty
 * tuple, a negative integer literal, a tuple pattern or tuple type with fewer than two items.
 */
public final class AstPrinter {
    private static final String INDENT = "  ";

    private AstPrinter() {}

    /** The whole program; ends with a newline. */
    public static String print(Ast.Program program) {
        return program.decls().stream().map(d -> decl(d)).collect(Collectors.joining("\n\n")) + (program.decls().isEmpty() ? "" : "\n");
    }

    /** One expression at indentation level 0. */
    public static String print(Ast.Expr e) { return expr(e, 0); }

    /** One type. */
    public static String print(Ast.TypeExpr t) { return type(t); }

    // ---- declarations ------------------------------------------------------------------------------
    private static String decl(Ast.Decl d) {
        if (d instanceof Ast.Import i) return importDecl(i);
        if (d instanceof Ast.Const c) return "const " + c.name() + " = " + expr(c.value(), 0);
        if (d instanceof Ast.Def f) {
            return "def " + f.name() + "(" + formals(f.params()) + ")" + (f.result() == null ? "" : " -> " + type(f.result()))
                    + " " + block(f.body(), 0);
        }
        if (d instanceof Ast.Model m) {
            return "model " + m.name() + (m.params().isEmpty() ? "" : "(" + formals(m.params()) + ")") + " " + block(m.body(), 0);
        }
        Ast.Train t = (Ast.Train) d;
        return "train " + t.model() + " " + trainBlock(t.items(), 0);
    }

    private static String importDecl(Ast.Import i) {
        String module = String.join(".", i.module());
        if (i.braced()) {
            return "import " + module + ".{" + i.names().stream()
                    .map(n -> n.name() + (n.alias() == null ? "" : " as " + n.alias())).collect(Collectors.joining(", ")) + "}";
        }
        if (i.names().isEmpty()) return "import " + module;
        if (i.names().size() == 1 && i.names().get(0).alias() == null) return "import " + module + "." + i.names().get(0).name();
        throw new IllegalArgumentException("an unbraced import names at most one member, without alias: " + i);
    }

    private static String formals(List<Ast.Formal> params) {
        return join(params, f -> f.name() + (f.type() == null ? "" : ": " + type(f.type())) + (f.dflt() == null ? "" : " = " + expr(f.dflt(), 0)));
    }

    private static String trainBlock(List<Ast.TrainItem> items, int indent) {
        if (items.isEmpty()) return "{}";
        StringBuilder sb = new StringBuilder("{\n");
        for (Ast.TrainItem item : items) {
            sb.append(INDENT.repeat(indent + 1));
            if (item instanceof Ast.TrainStep s) {
                sb.append("step ").append(s.name()).append(' ').append(trainBlock(s.items(), indent + 1));
            } else {
                Ast.TrainSetting s = (Ast.TrainSetting) item;
                sb.append(s.name());
                if (!s.values().isEmpty()) sb.append(' ').append(join(s.values(), v -> expr(v, indent + 1)));
            }
            sb.append('\n');
        }
        return sb.append(INDENT.repeat(indent)).append('}').toString();
    }

    // ---- types -------------------------------------------------------------------------------------
    private static String type(Ast.TypeExpr t) {
        if (t instanceof Ast.TensorType tt) return tt.bare() ? tt.dtype() : tt.dtype() + "[" + join(tt.dims(), d -> dim(d, 0)) + "]";
        if (t instanceof Ast.TupleType tu) {
            if (tu.items().size() < 2) throw new IllegalArgumentException("a tuple type needs two or more items: " + tu);
            return "(" + join(tu.items(), AstPrinter::type) + ")";
        }
        return ((Ast.NamedType) t).name();
    }

    /** A dim expression; {@code min} is the loosest level that needs no parentheses (0 any, 1 +-, 2 * / %). */
    private static String dim(Ast.DimExpr d, int min) {
        if (d instanceof Ast.DimInt i) return Long.toString(i.value());
        if (d instanceof Ast.DimName n) return n.name();
        if (d instanceof Ast.DimEllipsis) return "...";
        Ast.DimBinary b = (Ast.DimBinary) d;
        int level = b.op().equals("+") || b.op().equals("-") ? 1 : 2;
        String s = dim(b.left(), level) + " " + b.op() + " " + dim(b.right(), level + 1);
        return level < min ? "(" + s + ")" : s;
    }

    // ---- statements --------------------------------------------------------------------------------
    private static String block(Ast.Block b, int indent) {
        if (b.stmts().isEmpty()) return "{}";
        StringBuilder sb = new StringBuilder("{\n");
        for (Ast.Stmt s : b.stmts()) sb.append(INDENT.repeat(indent + 1)).append(stmt(s, indent + 1)).append('\n');
        return sb.append(INDENT.repeat(indent)).append('}').toString();
    }

    private static String stmt(Ast.Stmt s, int in) {
        if (s instanceof Ast.InputStmt i) return "input " + i.name() + ": " + type(i.type());
        if (s instanceof Ast.ParamStmt p) return "param " + p.name() + ": " + type(p.type()) + init(p.init(), in);
        if (s instanceof Ast.StateStmt st) return "state " + st.name() + ": " + type(st.type()) + init(st.init(), in);
        if (s instanceof Ast.OutputStmt o) return "output " + o.name() + init(o.value(), in);
        if (s instanceof Ast.LossStmt l) return "loss " + (l.name() == null ? "" : l.name() + " = ") + expr(l.value(), in);
        if (s instanceof Ast.UpdateStmt u) return String.join(".", u.target()) + " " + u.op() + " " + expr(u.value(), in);
        if (s instanceof Ast.AssignStmt a) return join(a.targets(), AstPrinter::pattern) + " = " + expr(a.value(), in);
        if (s instanceof Ast.ReturnStmt r) return r.value() == null ? "return" : "return " + expr(r.value(), in);
        String e = expr(((Ast.ExprStmt) s).expr(), in);
        // 'loss' heading a statement starts a loss statement: keep an expression that starts with the name 'loss' one
        return e.matches("(?s)loss\\b.*") ? "(" + e + ")" : e;
    }

    private static String init(Ast.Expr e, int in) { return e == null ? "" : " = " + expr(e, in); }

    private static String pattern(Ast.Pattern p) {
        if (p instanceof Ast.NamePattern n) return n.name();
        if (p instanceof Ast.WildcardPattern) return "_";
        Ast.TuplePattern t = (Ast.TuplePattern) p;
        if (t.items().size() < 2) throw new IllegalArgumentException("a tuple pattern needs two or more items: " + t);
        return "(" + join(t.items(), AstPrinter::pattern) + ")";
    }

    // ---- expressions -------------------------------------------------------------------------------
    private static final int IF_FN = 0, OR = 1, AND = 2, NOT = 3, CMP = 4, ADD = 5, MUL = 6, UNARY = 7, POW = 8, POSTFIX = 9, ATOM = 10;

    private static int level(Ast.Expr e) {
        if (e instanceof Ast.Binary b) {
            return switch (b.op()) {
                case "or" -> OR;
                case "and" -> AND;
                case "<", "<=", ">", ">=", "==", "!=" -> CMP;
                case "+", "-" -> ADD;
                case "*", "/", "%", "@" -> MUL;
                case "**" -> POW;
                default -> throw new IllegalArgumentException("unknown binary operator '" + b.op() + "'");
            };
        }
        if (e instanceof Ast.Unary u) return u.op().equals("not") ? NOT : UNARY;
        if (e instanceof Ast.If || e instanceof Ast.Lambda) return IF_FN;
        if (e instanceof Ast.Call || e instanceof Ast.Index || e instanceof Ast.Member) return POSTFIX;
        return ATOM;
    }

    /** e printed so that it parses back as one operand at {@code min} or tighter. */
    private static String operand(Ast.Expr e, int min, int in) {
        String s = expr(e, in);
        return level(e) < min ? "(" + s + ")" : s;
    }

    private static String expr(Ast.Expr e, int in) {
        if (e instanceof Ast.IntLit i) {
            if (i.value() < 0) throw new IllegalArgumentException("a negative integer literal is written Unary(\"-\", literal): " + i);
            return Long.toString(i.value());
        }
        if (e instanceof Ast.FloatLit f) return f.text() != null ? f.text() : Double.toString(f.value());
        if (e instanceof Ast.StringLit s) return StringEscapes.quote(s.value());
        if (e instanceof Ast.BoolLit b) return b.value() ? "true" : "false";
        if (e instanceof Ast.InfLit) return "inf";
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.DTypeRef d) return d.dtype();
        if (e instanceof Ast.TupleExpr t) {
            if (t.items().isEmpty()) return "()";
            return t.items().size() == 1 ? "(" + expr(t.items().get(0), in) + ",)" : "(" + join(t.items(), x -> expr(x, in)) + ")";
        }
        if (e instanceof Ast.ListExpr l) return "[" + join(l.items(), x -> expr(x, in)) + "]";
        if (e instanceof Ast.Binary b) {
            int level = level(b);
            boolean right = b.op().equals("**");
            return operand(b.left(), right ? level + 1 : level, in) + " " + b.op() + " " + operand(b.right(), right ? level : level + 1, in);
        }
        if (e instanceof Ast.Unary u) {
            int level = level(u);
            return (u.op().equals("not") ? "not " : u.op()) + operand(u.operand(), level, in);
        }
        if (e instanceof Ast.Call c) {
            return operand(c.callee(), POSTFIX, in) + "(" + join(c.args(), a -> (a.name() == null ? "" : a.name() + "=") + expr(a.value(), in)) + ")";
        }
        if (e instanceof Ast.Index x) return operand(x.target(), POSTFIX, in) + "[" + join(x.items(), i -> indexItem(i, in)) + "]";
        if (e instanceof Ast.Member m) {
            // 1.x would lex as the float 1. followed by x
            String target = m.target() instanceof Ast.IntLit ? "(" + expr(m.target(), in) + ")" : operand(m.target(), POSTFIX, in);
            return target + "." + m.name();
        }
        if (e instanceof Ast.If f) return ifExpr(f, in);
        Ast.Lambda l = (Ast.Lambda) e;
        return "fn(" + join(l.params(), AstPrinter::pattern) + ") " + block(l.body(), in);
    }

    private static String ifExpr(Ast.If f, int in) {
        String s = "if " + operand(f.cond(), OR, in) + " " + block(f.then(), in);
        Ast.Block other = f.otherwise();
        if (other == null) return s;
        s += " else ";
        if (other.stmts().size() == 1 && other.stmts().get(0) instanceof Ast.ExprStmt es && es.expr() instanceof Ast.If inner) {
            return s + ifExpr(inner, in);
        }
        return s + block(other, in);
    }

    private static String indexItem(Ast.IndexItem i, int in) {
        if (i instanceof Ast.EllipsisIndex) return "...";
        if (i instanceof Ast.PointIndex p) return expr(p.index(), in);
        Ast.SliceIndex s = (Ast.SliceIndex) i;
        String text = bound(s.start(), in) + ":" + bound(s.stop(), in);
        return s.hasStep() || s.step() != null ? text + ":" + bound(s.step(), in) : text;
    }

    private static String bound(Ast.Expr e, int in) { return e == null ? "" : operand(e, OR, in); }

    private static <T> String join(List<T> items, Function<T, String> f) {
        return items.stream().map(f).collect(Collectors.joining(", "));
    }
}
