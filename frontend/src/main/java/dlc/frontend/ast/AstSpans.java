package dlc.frontend.ast;

import java.util.List;
import java.util.function.Function;

/** Span utilities for whole trees. */
public final class AstSpans {
    private AstSpans() {}

    private static final Span N = Span.NONE;

    /**
     * The same tree with every span replaced by {@link Span#NONE}, so that trees parsed from
     * different texts compare equal when they mean the same thing. The file name is kept.
     */
    public static Ast.Program strip(Ast.Program p) {
        return new Ast.Program(p.file(), map(p.decls(), AstSpans::decl));
    }

    /** One expression, spans stripped. */
    public static Ast.Expr strip(Ast.Expr e) { return expr(e); }

    private static <T> List<T> map(List<T> xs, Function<T, T> f) {
        return xs == null ? null : xs.stream().map(x -> x == null ? null : f.apply(x)).toList();
    }

    private static Ast.Decl decl(Ast.Decl d) {
        if (d instanceof Ast.Import i) {
            return new Ast.Import(N, i.module(), map(i.names(), n -> new Ast.ImportName(N, n.name(), n.alias())), i.braced());
        }
        if (d instanceof Ast.Const c) return new Ast.Const(N, c.name(), expr(c.value()));
        if (d instanceof Ast.Def f) return new Ast.Def(N, f.name(), map(f.params(), AstSpans::formal), type(f.result()), block(f.body()));
        if (d instanceof Ast.Model m) return new Ast.Model(N, m.name(), map(m.params(), AstSpans::formal), block(m.body()));
        Ast.Train t = (Ast.Train) d;
        return new Ast.Train(N, t.model(), map(t.items(), AstSpans::trainItem));
    }

    private static Ast.Formal formal(Ast.Formal f) { return new Ast.Formal(N, f.name(), type(f.type()), expr(f.dflt())); }

    private static Ast.TrainItem trainItem(Ast.TrainItem i) {
        if (i instanceof Ast.TrainStep s) return new Ast.TrainStep(N, s.name(), map(s.items(), AstSpans::trainItem));
        Ast.TrainSetting s = (Ast.TrainSetting) i;
        return new Ast.TrainSetting(N, s.name(), map(s.values(), AstSpans::expr));
    }

    private static Ast.TypeExpr type(Ast.TypeExpr t) {
        if (t == null) return null;
        if (t instanceof Ast.TensorType tt) return new Ast.TensorType(N, tt.dtype(), map(tt.dims(), AstSpans::dim), tt.bare());
        if (t instanceof Ast.TupleType tu) return new Ast.TupleType(N, map(tu.items(), AstSpans::type));
        return new Ast.NamedType(N, ((Ast.NamedType) t).name());
    }

    private static Ast.DimExpr dim(Ast.DimExpr d) {
        if (d instanceof Ast.DimInt i) return new Ast.DimInt(N, i.value());
        if (d instanceof Ast.DimName n) return new Ast.DimName(N, n.name());
        if (d instanceof Ast.DimEllipsis) return new Ast.DimEllipsis(N);
        Ast.DimBinary b = (Ast.DimBinary) d;
        return new Ast.DimBinary(N, b.op(), dim(b.left()), dim(b.right()));
    }

    private static Ast.Block block(Ast.Block b) {
        return b == null ? null : new Ast.Block(N, map(b.stmts(), AstSpans::stmt));
    }

    private static Ast.Stmt stmt(Ast.Stmt s) {
        if (s instanceof Ast.InputStmt i) return new Ast.InputStmt(N, i.name(), type(i.type()));
        if (s instanceof Ast.ParamStmt p) return new Ast.ParamStmt(N, p.name(), type(p.type()), expr(p.init()));
        if (s instanceof Ast.StateStmt st) return new Ast.StateStmt(N, st.name(), type(st.type()), expr(st.init()));
        if (s instanceof Ast.OutputStmt o) return new Ast.OutputStmt(N, o.name(), expr(o.value()));
        if (s instanceof Ast.LossStmt l) return new Ast.LossStmt(N, l.name(), expr(l.value()));
        if (s instanceof Ast.UpdateStmt u) return new Ast.UpdateStmt(N, u.target(), u.op(), expr(u.value()));
        if (s instanceof Ast.AssignStmt a) return new Ast.AssignStmt(N, map(a.targets(), AstSpans::pattern), expr(a.value()));
        if (s instanceof Ast.ReturnStmt r) return new Ast.ReturnStmt(N, expr(r.value()));
        return new Ast.ExprStmt(N, expr(((Ast.ExprStmt) s).expr()));
    }

    private static Ast.Pattern pattern(Ast.Pattern p) {
        if (p instanceof Ast.NamePattern n) return new Ast.NamePattern(N, n.name());
        if (p instanceof Ast.WildcardPattern) return new Ast.WildcardPattern(N);
        return new Ast.TuplePattern(N, map(((Ast.TuplePattern) p).items(), AstSpans::pattern));
    }

    private static Ast.Expr expr(Ast.Expr e) {
        if (e == null) return null;
        if (e instanceof Ast.IntLit i) return new Ast.IntLit(N, i.value());
        if (e instanceof Ast.FloatLit f) return new Ast.FloatLit(N, f.value(), f.text());
        if (e instanceof Ast.StringLit s) return new Ast.StringLit(N, s.value());
        if (e instanceof Ast.BoolLit b) return new Ast.BoolLit(N, b.value());
        if (e instanceof Ast.InfLit) return new Ast.InfLit(N);
        if (e instanceof Ast.Name n) return new Ast.Name(N, n.name());
        if (e instanceof Ast.DTypeRef d) return new Ast.DTypeRef(N, d.dtype());
        if (e instanceof Ast.TupleExpr t) return new Ast.TupleExpr(N, map(t.items(), AstSpans::expr));
        if (e instanceof Ast.ListExpr l) return new Ast.ListExpr(N, map(l.items(), AstSpans::expr));
        if (e instanceof Ast.Binary b) return new Ast.Binary(N, b.op(), expr(b.left()), expr(b.right()));
        if (e instanceof Ast.Unary u) return new Ast.Unary(N, u.op(), expr(u.operand()));
        if (e instanceof Ast.Call c) return new Ast.Call(N, expr(c.callee()), map(c.args(), a -> new Ast.Arg(N, a.name(), expr(a.value()))));
        if (e instanceof Ast.Index x) return new Ast.Index(N, expr(x.target()), map(x.items(), AstSpans::indexItem));
        if (e instanceof Ast.Member m) return new Ast.Member(N, expr(m.target()), m.name());
        if (e instanceof Ast.If f) return new Ast.If(N, expr(f.cond()), block(f.then()), block(f.otherwise()));
        Ast.Lambda l = (Ast.Lambda) e;
        return new Ast.Lambda(N, map(l.params(), AstSpans::pattern), block(l.body()));
    }

    private static Ast.IndexItem indexItem(Ast.IndexItem i) {
        if (i instanceof Ast.EllipsisIndex) return new Ast.EllipsisIndex(N);
        if (i instanceof Ast.PointIndex p) return new Ast.PointIndex(N, expr(p.index()));
        Ast.SliceIndex s = (Ast.SliceIndex) i;
        return new Ast.SliceIndex(N, expr(s.start()), expr(s.stop()), expr(s.step()), s.hasStep());
    }
}
