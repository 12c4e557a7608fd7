package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Span;
import dlc.frontend.ast.StringEscapes;
import dlc.grammar.DlBaseVisitor;
import dlc.grammar.DlParser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds the {@link Ast} from a {@link DlParser} parse tree. Every node's span comes from its
 * tokens (see {@link SpanFactory}). Parentheses are not kept: {@code (a + b)} is the Binary itself.
 *
 * <p>Conventions the lowering relies on:
 * <ul>
 *   <li>An unbraced import ({@code import std.nn} or {@code import std.nn.dense}) gives
 *       {@code module} = the whole dotted path and no names; the grammar cannot tell a module from
 *       a member, so the lowering decides (a path that names no module is a module plus one name).
 *       A braced import gives the module before the braces and its names.</li>
 *   <li>{@code else if ...} and {@code else expr} become a block holding one expression statement.</li>
 *   <li>Negative literals stay {@code Unary("-", literal)}; a float keeps its source text.</li>
 *   <li>A model without parentheses has an empty parameter list; an absent type, default, result
 *       type, initializer or value is null.</li>
 * </ul>
 *
 * <p>On a tree with syntax errors ({@code lenient}), a declaration or statement that cannot be
 * built is left out instead of failing, so callers get a partial program. On an error-free tree a
 * failure here is a bug and propagates.
 */
public final class AstBuilder extends DlBaseVisitor<Object> {
    private final SpanFactory spans;
    private final boolean lenient;
    private final Consumer<Diagnostic> report;

    /**
     * @param lenient true when the tree holds syntax errors: skip the parts that cannot be built
     * @param report  receives problems found while building (an integer literal that is too large)
     */
    AstBuilder(SpanFactory spans, boolean lenient, Consumer<Diagnostic> report) {
        this.spans = spans;
        this.lenient = lenient;
        this.report = report;
    }

    /** The program of a parse tree. */
    public Ast.Program program(DlParser.ProgramContext ctx) {
        return new Ast.Program(spans.file(), each(ctx.topDecl(), this::decl));
    }

    // ---- helpers ---------------------------------------------------------------------------------
    private Span span(ParserRuleContext ctx) { return spans.of(ctx); }

    private Span span(Token t) { return spans.of(t); }

    /** Builds each element, skipping (in lenient mode) the ones a syntax error left unbuildable. */
    private <C, R> List<R> each(List<C> ctxs, Function<C, R> build) {
        List<R> out = new ArrayList<>(ctxs.size());
        for (C c : ctxs) {
            if (!lenient) {
                out.add(build.apply(c));
                continue;
            }
            try {
                R r = build.apply(c);
                if (r != null) out.add(r);
            } catch (RuntimeException partialTree) {
                // the syntax error is already reported; this element stays out of the partial program
            }
        }
        return out;
    }

    private static String text(TerminalNode n) { return n == null ? null : n.getText(); }

    private String name(DlParser.NameContext ctx) { return ctx == null ? null : ctx.getText(); }

    private Ast.Expr expr(DlParser.ExprContext ctx) { return ctx == null ? null : (Ast.Expr) ctx.accept(this); }

    private Ast.TypeExpr type(DlParser.TypeExprContext ctx) { return ctx == null ? null : (Ast.TypeExpr) ctx.accept(this); }

    private Ast.Block block(DlParser.BlockContext ctx) {
        return ctx == null ? null : new Ast.Block(span(ctx), each(ctx.stmt(), s -> (Ast.Stmt) s.accept(this)));
    }

    private List<Ast.Formal> formals(DlParser.ParamListContext ctx) {
        return ctx == null ? List.of() : each(ctx.formal(), f -> new Ast.Formal(span(f), name(f.name()), type(f.typeExpr()), expr(f.expr())));
    }

    // ---- declarations ------------------------------------------------------------------------------
    private Ast.Decl decl(DlParser.TopDeclContext ctx) {
        ParseTree only = ctx.getChild(0);
        return only == null ? null : (Ast.Decl) only.accept(this);
    }

    @Override public Ast.Import visitImportDecl(DlParser.ImportDeclContext ctx) {
        List<String> module = each(ctx.dotted().name(), this::name);
        boolean braced = ctx.LBRACE() != null;
        List<Ast.ImportName> names = each(ctx.importName(), n -> new Ast.ImportName(span(n), name(n.name(0)),
                n.name().size() > 1 ? name(n.name(1)) : null));
        return new Ast.Import(span(ctx), module, names, braced);
    }

    @Override public Ast.Const visitConstDecl(DlParser.ConstDeclContext ctx) {
        return new Ast.Const(span(ctx), text(ctx.ID()), expr(ctx.expr()));
    }

    @Override public Ast.Def visitDefDecl(DlParser.DefDeclContext ctx) {
        return new Ast.Def(span(ctx), name(ctx.name()), formals(ctx.paramList()), type(ctx.typeExpr()), block(ctx.block()));
    }

    @Override public Ast.Model visitModelDecl(DlParser.ModelDeclContext ctx) {
        return new Ast.Model(span(ctx), text(ctx.ID()), formals(ctx.paramList()), block(ctx.block()));
    }

    @Override public Ast.Train visitTrainDecl(DlParser.TrainDeclContext ctx) {
        return new Ast.Train(span(ctx), text(ctx.ID()), trainItems(ctx.trainBlock()));
    }

    private List<Ast.TrainItem> trainItems(DlParser.TrainBlockContext ctx) {
        return ctx == null ? List.of() : each(ctx.trainItem(), i -> (Ast.TrainItem) i.accept(this));
    }

    @Override public Ast.TrainStep visitTrainStep(DlParser.TrainStepContext ctx) {
        return new Ast.TrainStep(span(ctx), text(ctx.ID()), trainItems(ctx.trainBlock()));
    }

    @Override public Ast.TrainSetting visitTrainSetting(DlParser.TrainSettingContext ctx) {
        return new Ast.TrainSetting(span(ctx), ctx.settingName().getText(), each(ctx.expr(), this::expr));
    }

    // ---- types -------------------------------------------------------------------------------------
    @Override public Ast.TensorType visitTensorType(DlParser.TensorTypeContext ctx) {
        List<Ast.DimExpr> dims = each(ctx.dimItem(), d -> d.dimExpr() == null ? new Ast.DimEllipsis(span(d)) : dim(d.dimExpr()));
        return new Ast.TensorType(span(ctx), text(ctx.DTYPE()), dims, false);
    }

    @Override public Ast.TensorType visitScalarTensorType(DlParser.ScalarTensorTypeContext ctx) {
        return new Ast.TensorType(span(ctx), text(ctx.DTYPE()), List.of(), true);
    }

    @Override public Ast.TupleType visitTupleType(DlParser.TupleTypeContext ctx) {
        return new Ast.TupleType(span(ctx), each(ctx.typeExpr(), this::type));
    }

    @Override public Ast.NamedType visitNamedType(DlParser.NamedTypeContext ctx) {
        return new Ast.NamedType(span(ctx), ctx.getText());
    }

    private Ast.DimExpr dim(DlParser.DimExprContext ctx) {
        if (ctx.op != null) return new Ast.DimBinary(span(ctx), ctx.op.getText(), dim(ctx.dimExpr(0)), dim(ctx.dimExpr(1)));
        if (ctx.INT() != null) return new Ast.DimInt(span(ctx), intValue(ctx.INT().getSymbol()));
        if (ctx.ID() != null) return new Ast.DimName(span(ctx), ctx.ID().getText());
        return dim(ctx.dimExpr(0)); // ( dimExpr ): the grouping is the tree
    }

    // ---- statements --------------------------------------------------------------------------------
    @Override public Ast.InputStmt visitInputStmt(DlParser.InputStmtContext ctx) {
        return new Ast.InputStmt(span(ctx), text(ctx.ID()), type(ctx.typeExpr()));
    }

    @Override public Ast.ParamStmt visitParamStmt(DlParser.ParamStmtContext ctx) {
        return new Ast.ParamStmt(span(ctx), text(ctx.ID()), type(ctx.typeExpr()), expr(ctx.expr()));
    }

    @Override public Ast.StateStmt visitStateStmt(DlParser.StateStmtContext ctx) {
        return new Ast.StateStmt(span(ctx), text(ctx.ID()), type(ctx.typeExpr()), expr(ctx.expr()));
    }

    @Override public Ast.OutputStmt visitOutputStmt(DlParser.OutputStmtContext ctx) {
        return new Ast.OutputStmt(span(ctx), text(ctx.ID()), expr(ctx.expr()));
    }

    @Override public Ast.LossStmt visitLossStmt(DlParser.LossStmtContext ctx) {
        return new Ast.LossStmt(span(ctx), text(ctx.ID()), expr(ctx.expr()));
    }

    @Override public Ast.UpdateStmt visitUpdateStmt(DlParser.UpdateStmtContext ctx) {
        return new Ast.UpdateStmt(span(ctx), each(ctx.target().name(), this::name), ctx.op.getText(), expr(ctx.expr()));
    }

    @Override public Ast.AssignStmt visitAssignStmt(DlParser.AssignStmtContext ctx) {
        return new Ast.AssignStmt(span(ctx), each(ctx.patterns().pattern(), this::pattern), expr(ctx.expr()));
    }

    @Override public Ast.ReturnStmt visitReturnStmt(DlParser.ReturnStmtContext ctx) {
        return new Ast.ReturnStmt(span(ctx), expr(ctx.expr()));
    }

    @Override public Ast.ExprStmt visitExprStmt(DlParser.ExprStmtContext ctx) {
        return new Ast.ExprStmt(span(ctx), expr(ctx.expr()));
    }

    private Ast.Pattern pattern(DlParser.PatternContext ctx) {
        if (ctx.name() != null) return new Ast.NamePattern(span(ctx), name(ctx.name()));
        if (!ctx.pattern().isEmpty()) return new Ast.TuplePattern(span(ctx), each(ctx.pattern(), this::pattern));
        return new Ast.WildcardPattern(span(ctx));
    }

    // ---- expressions -------------------------------------------------------------------------------
    @Override public Ast.Expr visitPrimaryExpr(DlParser.PrimaryExprContext ctx) {
        return (Ast.Expr) ctx.primary().accept(this);
    }

    @Override public Ast.Member visitMemberExpr(DlParser.MemberExprContext ctx) {
        return new Ast.Member(span(ctx), expr(ctx.expr()), name(ctx.name()));
    }

    @Override public Ast.Call visitCallExpr(DlParser.CallExprContext ctx) {
        List<Ast.Arg> args = ctx.argList() == null ? List.of()
                : each(ctx.argList().arg(), a -> new Ast.Arg(span(a), name(a.name()), expr(a.expr())));
        return new Ast.Call(span(ctx), expr(ctx.expr()), args);
    }

    @Override public Ast.Index visitIndexExpr(DlParser.IndexExprContext ctx) {
        return new Ast.Index(span(ctx), expr(ctx.expr()), each(ctx.index(), i -> (Ast.IndexItem) i.accept(this)));
    }

    @Override public Ast.EllipsisIndex visitEllipsisIndex(DlParser.EllipsisIndexContext ctx) {
        return new Ast.EllipsisIndex(span(ctx));
    }

    @Override public Ast.PointIndex visitPointIndex(DlParser.PointIndexContext ctx) {
        return new Ast.PointIndex(span(ctx), expr(ctx.expr()));
    }

    /** {@code start? ':' stop? (':' step?)?}: which bound an expression is follows from the colons before it. */
    @Override public Ast.SliceIndex visitSliceIndex(DlParser.SliceIndexContext ctx) {
        Ast.Expr[] parts = new Ast.Expr[3];
        int colons = 0;
        for (ParseTree child : ctx.children) {
            if (child instanceof DlParser.ExprContext e) parts[colons] = expr(e);
            else colons++;
        }
        return new Ast.SliceIndex(span(ctx), parts[0], parts[1], parts[2], colons == 2);
    }

    @Override public Ast.Binary visitPowExpr(DlParser.PowExprContext ctx) { return binary(ctx, "**", ctx.expr()); }

    @Override public Ast.Binary visitMulExpr(DlParser.MulExprContext ctx) { return binary(ctx, ctx.op.getText(), ctx.expr()); }

    @Override public Ast.Binary visitAddExpr(DlParser.AddExprContext ctx) { return binary(ctx, ctx.op.getText(), ctx.expr()); }

    @Override public Ast.Binary visitCompareExpr(DlParser.CompareExprContext ctx) { return binary(ctx, ctx.op.getText(), ctx.expr()); }

    @Override public Ast.Binary visitAndExpr(DlParser.AndExprContext ctx) { return binary(ctx, "and", ctx.expr()); }

    @Override public Ast.Binary visitOrExpr(DlParser.OrExprContext ctx) { return binary(ctx, "or", ctx.expr()); }

    private Ast.Binary binary(ParserRuleContext ctx, String op, List<DlParser.ExprContext> operands) {
        return new Ast.Binary(span(ctx), op, expr(operands.get(0)), operands.size() > 1 ? expr(operands.get(1)) : null);
    }

    @Override public Ast.Unary visitUnaryExpr(DlParser.UnaryExprContext ctx) {
        return new Ast.Unary(span(ctx), ctx.op.getText(), expr(ctx.expr()));
    }

    @Override public Ast.Unary visitNotExpr(DlParser.NotExprContext ctx) {
        return new Ast.Unary(span(ctx), "not", expr(ctx.expr()));
    }

    @Override public Ast.If visitIfExpr(DlParser.IfExprContext ctx) {
        Ast.Block otherwise;
        if (ctx.block().size() > 1) {
            otherwise = block(ctx.block(1));
        } else {
            DlParser.ExprContext e = ctx.expr().size() > 1 ? ctx.expr(1) : null;
            otherwise = e == null ? null : new Ast.Block(span(e), List.of(new Ast.ExprStmt(span(e), expr(e))));
        }
        return new Ast.If(span(ctx), expr(ctx.expr(0)), block(ctx.block(0)), otherwise);
    }

    @Override public Ast.Lambda visitLambdaExpr(DlParser.LambdaExprContext ctx) {
        return new Ast.Lambda(span(ctx), each(ctx.pattern(), this::pattern), block(ctx.block()));
    }

    // ---- primaries ---------------------------------------------------------------------------------
    @Override public Ast.IntLit visitIntLit(DlParser.IntLitContext ctx) {
        return new Ast.IntLit(span(ctx), intValue(ctx.INT().getSymbol()));
    }

    @Override public Ast.FloatLit visitFloatLit(DlParser.FloatLitContext ctx) {
        String text = ctx.FLOAT().getText();
        return new Ast.FloatLit(span(ctx), Double.parseDouble(text), text);
    }

    @Override public Ast.StringLit visitStringLit(DlParser.StringLitContext ctx) {
        return new Ast.StringLit(span(ctx), StringEscapes.unquote(ctx.STRING().getText()));
    }

    @Override public Ast.BoolLit visitBoolLit(DlParser.BoolLitContext ctx) {
        return new Ast.BoolLit(span(ctx), ctx.getText().equals("true"));
    }

    @Override public Ast.InfLit visitInfLit(DlParser.InfLitContext ctx) { return new Ast.InfLit(span(ctx)); }

    @Override public Ast.Name visitNameRef(DlParser.NameRefContext ctx) { return new Ast.Name(span(ctx), name(ctx.name())); }

    @Override public Ast.DTypeRef visitDtypeRef(DlParser.DtypeRefContext ctx) { return new Ast.DTypeRef(span(ctx), text(ctx.DTYPE())); }

    @Override public Ast.Expr visitParenExpr(DlParser.ParenExprContext ctx) { return expr(ctx.expr()); }

    @Override public Ast.TupleExpr visitEmptyTupleExpr(DlParser.EmptyTupleExprContext ctx) {
        return new Ast.TupleExpr(span(ctx), List.of());
    }

    @Override public Ast.TupleExpr visitTupleExpr(DlParser.TupleExprContext ctx) {
        return new Ast.TupleExpr(span(ctx), each(ctx.expr(), this::expr));
    }

    @Override public Ast.ListExpr visitListExpr(DlParser.ListExprContext ctx) {
        return new Ast.ListExpr(span(ctx), each(ctx.expr(), this::expr));
    }

    /** An integer literal's value; one beyond the range of a long is reported and read as 0. */
    private long intValue(Token t) {
        try {
            return Long.parseLong(t.getText());
        } catch (NumberFormatException tooLarge) {
            report.accept(Diagnostic.error(span(t), "integer literal " + t.getText() + " is too large",
                    "integers must lie within " + Long.MIN_VALUE + " .. " + Long.MAX_VALUE + "; write a float (1e19) for larger values"));
            return 0;
        }
    }
}
