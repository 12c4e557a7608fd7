package dlc.frontend.parse;

import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.Binary;
import dlc.frontend.ast.Ast.Name;
import dlc.frontend.ast.Ast.Unary;
import dlc.frontend.ast.AstSpans;
import dlc.frontend.ast.Span;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Representative programs parse into the trees the language reference describes. */
class AstShapesTest {
    private static final Span N = Span.NONE;

    private static Ast.Program parse(String text) {
        ParseResult r = SourceParser.parse("t.dl", text);
        assertTrue(r.ok(), r::render);
        return AstSpans.strip(r.program());
    }

    /** The statements of {@code def f() { body }}. */
    private static List<Ast.Stmt> body(String body) {
        Ast.Def f = (Ast.Def) parse("def f() {\n" + body + "\n}").decls().get(0);
        return f.body().stmts();
    }

    /** The value of {@code const C = text}. */
    private static Ast.Expr expr(String text) {
        return ((Ast.Const) parse("const C = " + text).decls().get(0)).value();
    }

    private static Name n(String s) { return new Name(N, s); }

    private static Ast.IntLit i(long v) { return new Ast.IntLit(N, v); }

    private static Binary bin(String op, Ast.Expr l, Ast.Expr r) { return new Binary(N, op, l, r); }

    @Test
    void unaryMinusIsLooserThanPower() {
        assertEquals(new Unary(N, "-", bin("**", n("x"), i(2))), expr("-x**2"));
    }

    @Test
    void powerIsRightAssociative() {
        assertEquals(bin("**", n("a"), bin("**", n("b"), n("c"))), expr("a ** b ** c"));
    }

    @Test
    void matmulBindsLikeTimesAndTighterThanPlus() {
        assertEquals(bin("+", n("a"), bin("@", bin("*", n("b"), n("c")), n("d"))), expr("a + b * c @ d"));
    }

    @Test
    void notIsLooserThanComparisonAndTighterThanAnd() {
        assertEquals(bin("and", new Unary(N, "not", n("a")), n("b")), expr("not a and b"));
        assertEquals(new Unary(N, "not", bin("<", n("a"), n("b"))), expr("not a < b"));
        assertEquals(bin("or", n("a"), bin("and", n("b"), n("c"))), expr("a or b and c"));
    }

    @Test
    void negativeLiteralsStayUnary() {
        assertEquals(new Unary(N, "-", i(3)), expr("-3"));
        assertEquals(new Unary(N, "-", new Ast.FloatLit(N, 1e-3, "1e-3")), expr("-1e-3"));
    }

    @Test
    void floatLiteralsKeepTheirSpelling() {
        assertEquals(new Ast.FloatLit(N, 0.5, ".5"), expr(".5"));
        assertEquals(new Ast.FloatLit(N, 2.0, "2."), expr("2."));
        assertEquals(new Ast.FloatLit(N, 1e3, "1E3"), expr("1E3"));
    }

    @Test
    void aLineEndingInAnOperatorContinues() {
        List<Ast.Stmt> stmts = body("  y = a +\n      b *\n\n      c\n  z = y");
        assertEquals(2, stmts.size());
        assertEquals(new Ast.AssignStmt(N, List.of(new Ast.NamePattern(N, "y")), bin("+", n("a"), bin("*", n("b"), n("c")))), stmts.get(0));
    }

    @Test
    void newlinesInsideParenthesesAreSpaces() {
        assertEquals(new Ast.Call(N, n("f"), List.of(new Ast.Arg(N, null, n("a")), new Ast.Arg(N, "k", i(1)))), expr("f(\n  a,\n  k = 1\n)"));
    }

    @Test
    void lambdaBlockInsideACallSeparatesStatementsByNewlines() {
        Ast.Call call = (Ast.Call) expr("scan(fn((h, c), x) {\n  h = h + x\n  ((h, c), h)\n}, init)");
        assertEquals(2, call.args().size());
        Ast.Lambda f = assertInstanceOf(Ast.Lambda.class, call.args().get(0).value());
        assertEquals(List.of(new Ast.TuplePattern(N, List.of(new Ast.NamePattern(N, "h"), new Ast.NamePattern(N, "c"))),
                new Ast.NamePattern(N, "x")), f.params());
        assertEquals(2, f.body().stmts().size());
        assertInstanceOf(Ast.AssignStmt.class, f.body().stmts().get(0));
        Ast.ExprStmt last = assertInstanceOf(Ast.ExprStmt.class, f.body().stmts().get(1));
        assertInstanceOf(Ast.TupleExpr.class, last.expr());
        assertEquals(n("init"), call.args().get(1).value());
    }

    @Test
    void destructuringAssignmentNestsTuplePatterns() {
        Ast.AssignStmt a = (Ast.AssignStmt) body("  (h, c), _ = step(x)").get(0);
        assertEquals(List.of(
                new Ast.TuplePattern(N, List.of(new Ast.NamePattern(N, "h"), new Ast.NamePattern(N, "c"))),
                new Ast.WildcardPattern(N)), a.targets());
        assertEquals(new Ast.Call(N, n("step"), List.of(new Ast.Arg(N, null, n("x")))), a.value());
    }

    @Test
    void slicesRecordWhichBoundsAreWritten() {
        Ast.Index ix = (Ast.Index) expr("x[:, 1:, ::2, ..., i, a:b:c]");
        assertEquals(List.of(
                new Ast.SliceIndex(N, null, null, null, false),
                new Ast.SliceIndex(N, i(1), null, null, false),
                new Ast.SliceIndex(N, null, null, i(2), true),
                new Ast.EllipsisIndex(N),
                new Ast.PointIndex(N, n("i")),
                new Ast.SliceIndex(N, n("a"), n("b"), n("c"), true)), ix.items());
        assertEquals(new Ast.SliceIndex(N, null, null, null, true), ((Ast.Index) expr("x[::]")).items().get(0));
    }

    @Test
    void elseIfBecomesABlockHoldingTheNextIf() {
        Ast.If outer = (Ast.If) expr("if a { 1 } else if b { 2 } else { 3 }");
        assertEquals(n("a"), outer.cond());
        assertEquals(List.of(new Ast.ExprStmt(N, i(1))), outer.then().stmts());
        Ast.ExprStmt only = (Ast.ExprStmt) outer.otherwise().stmts().get(0);
        assertEquals(1, outer.otherwise().stmts().size());
        Ast.If inner = (Ast.If) only.expr();
        assertEquals(n("b"), inner.cond());
        assertEquals(List.of(new Ast.ExprStmt(N, i(3))), inner.otherwise().stmts());
        // else with a bare expression: the same shape
        assertEquals(new Ast.Block(N, List.of(new Ast.ExprStmt(N, n("y")))), ((Ast.If) expr("if c { x } else y")).otherwise());
    }

    @Test
    void importsKeepTheirPathsAndBraces() {
        List<Ast.Decl> ds = parse("import std.nn\nimport std.nn.dense\nimport std.nn.{dense, dropout as drop}").decls();
        assertEquals(new Ast.Import(N, List.of("std", "nn"), List.of(), false), ds.get(0));
        assertEquals(new Ast.Import(N, List.of("std", "nn", "dense"), List.of(), false), ds.get(1));
        assertEquals(new Ast.Import(N, List.of("std", "nn"), List.of(new Ast.ImportName(N, "dense", null),
                new Ast.ImportName(N, "dropout", "drop")), true), ds.get(2));
    }

    @Test
    void modelStatementsOfEveryKind() {
        Ast.Model m = (Ast.Model) parse("""
                model M(h: int = 4) {
                  input x: f32[B, 2 * H + 1, ...]
                  param w: f32[4, h] = glorot_uniform(gain=2.0)
                  state rm: f32[4] = zeros()
                  output y = x @ w
                  output y
                  loss mean(y)
                  loss d_loss = sum(y)
                  enc.dense.w <- w * 0.5
                  rm += 1; rm -= 1
                  return
                }""").decls().get(0);
        List<Ast.Stmt> s = m.body().stmts();
        assertEquals(11, s.size());
        Ast.InputStmt in = (Ast.InputStmt) s.get(0);
        assertEquals(new Ast.TensorType(N, "f32", List.of(new Ast.DimName(N, "B"),
                new Ast.DimBinary(N, "+", new Ast.DimBinary(N, "*", new Ast.DimInt(N, 2), new Ast.DimName(N, "H")), new Ast.DimInt(N, 1)),
                new Ast.DimEllipsis(N)), false), in.type());
        assertEquals("w", ((Ast.ParamStmt) s.get(1)).name());
        assertInstanceOf(Ast.StateStmt.class, s.get(2));
        assertNull(((Ast.OutputStmt) s.get(4)).value());
        assertNull(((Ast.LossStmt) s.get(5)).name());
        assertEquals("d_loss", ((Ast.LossStmt) s.get(6)).name());
        assertEquals(List.of("enc", "dense", "w"), ((Ast.UpdateStmt) s.get(7)).target());
        assertEquals("<-", ((Ast.UpdateStmt) s.get(7)).op());
        assertEquals("+=", ((Ast.UpdateStmt) s.get(8)).op());
        assertEquals("-=", ((Ast.UpdateStmt) s.get(9)).op());
        assertNull(((Ast.ReturnStmt) s.get(10)).value());
    }

    @Test
    void lossAndStepRemainNamesOutsideTheirHeadPositions() {
        List<Ast.Stmt> s = body("  loss = step(loss)\n  step = 1");
        assertEquals(new Ast.AssignStmt(N, List.of(new Ast.NamePattern(N, "loss")),
                new Ast.Call(N, n("step"), List.of(new Ast.Arg(N, null, n("loss"))))), s.get(0));
        assertEquals(new Ast.AssignStmt(N, List.of(new Ast.NamePattern(N, "step")), i(1)), s.get(1));
    }

    @Test
    void trainBlocksHoldSettingsAndSteps() {
        Ast.Train t = (Ast.Train) parse("train Gan {\n  batch 64; epochs 2\n  step disc {\n    loss d_loss\n    params d, e\n  }\n}").decls().get(0);
        assertEquals(new Ast.TrainSetting(N, "batch", List.of(i(64))), t.items().get(0));
        assertEquals(new Ast.TrainSetting(N, "epochs", List.of(i(2))), t.items().get(1));
        assertEquals(new Ast.TrainStep(N, "disc", List.of(new Ast.TrainSetting(N, "loss", List.of(n("d_loss"))),
                new Ast.TrainSetting(N, "params", List.of(n("d"), n("e"))))), t.items().get(2));
    }

    @Test
    void stringsAreUnescaped() {
        assertEquals(new Ast.StringLit(N, "a\"b\\c\nd"), expr("\"a\\\"b\\\\c\\nd\""));
    }

    @Test
    void tuplesListsAndMembers() {
        assertEquals(new Ast.TupleExpr(N, List.of(n("a"))), expr("(a,)"));
        assertEquals(n("a"), expr("(a)"));
        assertEquals(new Ast.ListExpr(N, List.of(i(1), i(2))), expr("[1, 2,]"));
        assertEquals(new Ast.Member(N, new Ast.Member(N, n("x"), "shape"), "T"), expr("x.shape.T"));
        assertEquals(new Ast.DTypeRef(N, "f32"), ((Ast.Call) expr("cast(x, f32)")).args().get(1).value());
    }

    @Test
    void spansPointAtTheFirstTokenAndCoverTheFirstLine() {
        ParseResult r = SourceParser.parse("s.dl", "model M {\n  y = relu(x) + 1\n  z = f(a,\n        b)\n}");
        Ast.Model m = (Ast.Model) r.program().decls().get(0);
        Ast.AssignStmt y = (Ast.AssignStmt) m.body().stmts().get(0);
        assertEquals(new Span("s.dl", 2, 3, 15), y.span());
        assertEquals(new Span("s.dl", 2, 7, 11), y.value().span());
        Ast.Binary plus = (Ast.Binary) y.value();
        assertEquals(new Span("s.dl", 2, 17, 1), plus.right().span());
        Ast.AssignStmt z = (Ast.AssignStmt) m.body().stmts().get(1);
        assertEquals(new Span("s.dl", 3, 7, 4), z.value().span()); // "f(a," up to the end of its first line
        assertEquals(new Span("s.dl", 1, 1, 9), m.span());
    }

    @Test
    void emptyAndBlankFilesAreEmptyPrograms() {
        assertEquals(List.of(), parse("").decls());
        assertEquals(List.of(), parse("\n\n# only a comment\n/* and a\nblock */\n").decls());
    }

    @Test
    void brokenFilesStillGiveTheDeclarationsThatParsed() {
        ParseResult r = SourceParser.parse("b.dl", "def f(x) {\n  x +\n}\n\nmodel M {\n  input x: f32[B]\n  output x\n}\n");
        assertEquals(1, r.diagnostics().size(), r::render);
        assertTrue(r.program().decls().stream().anyMatch(d -> d instanceof Ast.Model mm && mm.name().equals("M")
                && mm.body().stmts().size() == 2), () -> r.program().toString());
    }

    @Test
    void elseMayStartTheNextLineAndFnIsATypeName() {
        List<Ast.Stmt> stmts = body("y = if c {\n 1\n}\nelse {\n 2\n}\nz = if c { 3 }");
        assertEquals(2, stmts.size());
        Ast.If first = (Ast.If) ((Ast.AssignStmt) stmts.get(0)).value();
        assertEquals(new Ast.Block(N, List.of(new Ast.ExprStmt(N, i(2)))), first.otherwise());
        assertNull(((Ast.If) ((Ast.AssignStmt) stmts.get(1)).value()).otherwise());
        Ast.Def d = (Ast.Def) parse("def apply(f: fn, x) { f(x) }").decls().get(0);
        assertEquals(new Ast.NamedType(N, "fn"), d.params().get(0).type());
    }
}
