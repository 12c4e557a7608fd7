package dlc.frontend.ast;

import java.util.List;

/**
 * The checked-free syntax tree of a .dl file: what the grammar says, with spans, and nothing
 * resolved. {@code equals} ignores nothing, so tests that compare trees across a print/parse
 * round trip first strip spans with {@link AstSpans#strip}.
 */
public final class Ast {
    private Ast() {}

    public record Program(String file, List<Decl> decls) {}

    // ---- declarations ------------------------------------------------------------------------
    public sealed interface Decl permits Import, Const, Def, Model, Train {
        Span span();
    }

    /** {@code import std.nn} (names empty: module alias = last part), {@code import std.nn.dense}
     *  (module std.nn, one name), {@code import std.nn.{dense, dropout as drop}}. */
    public record Import(Span span, List<String> module, List<ImportName> names, boolean braced) implements Decl {}

    public record ImportName(Span span, String name, String alias) {}

    public record Const(Span span, String name, Expr value) implements Decl {}

    public record Def(Span span, String name, List<Formal> params, TypeExpr result, Block body) implements Decl {}

    /** A model; params are optional compile-time arguments with defaults. */
    public record Model(Span span, String name, List<Formal> params, Block body) implements Decl {}

    public record Train(Span span, String model, List<TrainItem> items) implements Decl {}

    public record Formal(Span span, String name, TypeExpr type, Expr dflt) {}

    // ---- train blocks ------------------------------------------------------------------------
    public sealed interface TrainItem permits TrainSetting, TrainStep {
        Span span();
    }

    /** {@code optimizer adam(lr=1e-3)}, {@code batch 128}, {@code params generator, mapping}. */
    public record TrainSetting(Span span, String name, List<Expr> values) implements TrainItem {}

    public record TrainStep(Span span, String name, List<TrainItem> items) implements TrainItem {}

    // ---- types -------------------------------------------------------------------------------
    public sealed interface TypeExpr permits TensorType, TupleType, NamedType {
        Span span();
    }

    /** {@code f32[B, T, 4*H]}; dims empty and scalar=true for a bare {@code f32}; {@code f32[]} is rank 0 too. */
    public record TensorType(Span span, String dtype, List<DimExpr> dims, boolean bare) implements TypeExpr {}

    public record TupleType(Span span, List<TypeExpr> items) implements TypeExpr {}

    /** int, float, bool-as-scalar-type is a TensorType; named types are int, float, str, fn, shape, ... */
    public record NamedType(Span span, String name) implements TypeExpr {}

    public sealed interface DimExpr permits DimInt, DimName, DimBinary, DimEllipsis {
        Span span();
    }

    public record DimInt(Span span, long value) implements DimExpr {}

    public record DimName(Span span, String name) implements DimExpr {}

    /** op is one of + - * / % ; parentheses are not kept (the tree holds the grouping). */
    public record DimBinary(Span span, String op, DimExpr left, DimExpr right) implements DimExpr {}

    public record DimEllipsis(Span span) implements DimExpr {}

    // ---- statements --------------------------------------------------------------------------
    public record Block(Span span, List<Stmt> stmts) {}

    public sealed interface Stmt permits InputStmt, ParamStmt, StateStmt, OutputStmt, LossStmt, UpdateStmt,
            AssignStmt, ReturnStmt, ExprStmt {
        Span span();
    }

    public record InputStmt(Span span, String name, TypeExpr type) implements Stmt {}

    public record ParamStmt(Span span, String name, TypeExpr type, Expr init) implements Stmt {}

    public record StateStmt(Span span, String name, TypeExpr type, Expr init) implements Stmt {}

    /** {@code output probs = softmax(z)}; value null for {@code output z}. */
    public record OutputStmt(Span span, String name, Expr value) implements Stmt {}

    /** {@code loss expr} (name null) or {@code loss d_loss = expr}. */
    public record LossStmt(Span span, String name, Expr value) implements Stmt {}

    /** {@code w <- e}, {@code w += e}, {@code w -= e}; target may be qualified (a.b.w). */
    public record UpdateStmt(Span span, List<String> target, String op, Expr value) implements Stmt {}

    public record AssignStmt(Span span, List<Pattern> targets, Expr value) implements Stmt {}

    public record ReturnStmt(Span span, Expr value) implements Stmt {}

    public record ExprStmt(Span span, Expr expr) implements Stmt {}

    /** Assignment and lambda-parameter patterns: a name, {@code _}, or a nested tuple. */
    public sealed interface Pattern permits NamePattern, WildcardPattern, TuplePattern {
        Span span();
    }

    public record NamePattern(Span span, String name) implements Pattern {}

    public record WildcardPattern(Span span) implements Pattern {}

    public record TuplePattern(Span span, List<Pattern> items) implements Pattern {}

    // ---- expressions -------------------------------------------------------------------------
    public sealed interface Expr permits IntLit, FloatLit, StringLit, BoolLit, InfLit, Name, DTypeRef, TupleExpr,
            ListExpr, Binary, Unary, Call, Index, Member, If, Lambda {
        Span span();
    }

    public record IntLit(Span span, long value) implements Expr {}

    /** text is the literal as written (1e-3), so printing gives the source spelling back. */
    public record FloatLit(Span span, double value, String text) implements Expr {}

    /** value is unescaped. */
    public record StringLit(Span span, String value) implements Expr {}

    public record BoolLit(Span span, boolean value) implements Expr {}

    public record InfLit(Span span) implements Expr {}

    public record Name(Span span, String name) implements Expr {}

    public record DTypeRef(Span span, String dtype) implements Expr {}

    public record TupleExpr(Span span, List<Expr> items) implements Expr {}

    public record ListExpr(Span span, List<Expr> items) implements Expr {}

    /** op: or and < <= > >= == != + - * / % @ ** */
    public record Binary(Span span, String op, Expr left, Expr right) implements Expr {}

    /** op: - + not */
    public record Unary(Span span, String op, Expr operand) implements Expr {}

    public record Call(Span span, Expr callee, List<Arg> args) implements Expr {}

    /** name is null for a positional argument. */
    public record Arg(Span span, String name, Expr value) {}

    public record Index(Span span, Expr target, List<IndexItem> items) implements Expr {}

    public sealed interface IndexItem permits PointIndex, SliceIndex, EllipsisIndex {
        Span span();
    }

    public record PointIndex(Span span, Expr index) implements IndexItem {}

    /** start/stop/step may be null; hasStep records a written second colon ({@code ::2} vs {@code :}). */
    public record SliceIndex(Span span, Expr start, Expr stop, Expr step, boolean hasStep) implements IndexItem {}

    public record EllipsisIndex(Span span) implements IndexItem {}

    public record Member(Span span, Expr target, String name) implements Expr {}

    /**
     * {@code if c { a } else { b }}; {@code else if ...} and {@code else expr} are kept as a block
     * holding one expression statement; otherwise is null when there is no else (the value is none).
     */
    public record If(Span span, Expr cond, Block then, Block otherwise) implements Expr {}

    public record Lambda(Span span, List<Pattern> params, Block body) implements Expr {}
}
