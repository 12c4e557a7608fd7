package dlc.frontend.ast;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Random well-formed ASTs (spans all {@link Span#NONE}) covering every declaration, statement,
 * expression, pattern, type and index kind, in the shapes the parser builds: names avoid
 * keywords and dtypes, literals are non-negative (a minus is a Unary), tuples and tuple patterns
 * have the sizes the grammar allows, unbraced imports name no members.
 */
public final class AstArbitraries {
    private AstArbitraries() {}

    private static final Span N = Span.NONE;
    private static final int EXPR_DEPTH = 4;

    /** Words that the lexer does not read as an ordinary name in every position: keywords and every dtype's name. */
    private static final Set<String> NOT_NAMES = notNames();

    private static Set<String> notNames() {
        Set<String> words = new HashSet<>(Set.of("import", "as", "const", "def", "model", "train", "step", "input",
                "param", "state", "output", "loss", "return", "if", "else", "fn", "and", "or", "not", "true", "false", "inf", "_"));
        for (dlc.ir.DType d : dlc.ir.DType.values()) words.add(d.text());
        return Set.copyOf(words);
    }

    public static Arbitrary<String> names() {
        Arbitrary<String> common = Arbitraries.of("x", "h", "w", "b", "dense", "relu", "scan", "units", "B", "T", "x_t", "h0");
        Arbitrary<String> random = Combinators.combine(
                Arbitraries.chars().range('a', 'z').with('_', 'A', 'Z'),
                Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('_').ofMaxLength(5))
                .as((c, rest) -> c + rest);
        return Arbitraries.oneOf(common, random).filter(s -> !NOT_NAMES.contains(s));
    }

    private static <T> Arbitrary<T> orNull(Arbitrary<T> a) { return a.injectNull(0.3); }

    // ---- programs and declarations -----------------------------------------------------------------
    public static Arbitrary<Ast.Program> programs() {
        return decls().list().ofMaxSize(4).map(ds -> new Ast.Program("gen.dl", ds));
    }

    static Arbitrary<Ast.Decl> decls() {
        Arbitrary<Ast.Expr> e = exprs();
        Arbitrary<Ast.Decl> imports = Arbitraries.oneOf(
                names().list().ofMinSize(1).ofMaxSize(3).map(m -> new Ast.Import(N, m, List.of(), false)),
                Combinators.combine(names().list().ofMinSize(1).ofMaxSize(3),
                        Combinators.combine(names(), orNull(names())).as((n, a) -> new Ast.ImportName(N, n, a)).list().ofMinSize(1).ofMaxSize(3))
                        .as((m, ns) -> new Ast.Import(N, m, ns, true)));
        Arbitrary<Ast.Decl> consts = Combinators.combine(names(), e).as((n, v) -> new Ast.Const(N, n, v));
        Arbitrary<Ast.Decl> defs = Combinators.combine(names(), formals(e), orNull(types()), blocks(e))
                .as((n, ps, r, b) -> new Ast.Def(N, n, ps, r, b));
        Arbitrary<Ast.Decl> models = Combinators.combine(names(), formals(e), blocks(e)).as((n, ps, b) -> new Ast.Model(N, n, ps, b));
        Arbitrary<Ast.Decl> trains = Combinators.combine(names(), trainItems(e)).as((n, items) -> new Ast.Train(N, n, items));
        return Arbitraries.oneOf(imports, consts, defs, models, trains);
    }

    private static Arbitrary<List<Ast.Formal>> formals(Arbitrary<Ast.Expr> e) {
        return Combinators.combine(names(), orNull(types()), orNull(e)).as((n, t, d) -> new Ast.Formal(N, n, t, d)).list().ofMaxSize(3);
    }

    private static Arbitrary<List<Ast.TrainItem>> trainItems(Arbitrary<Ast.Expr> e) {
        Arbitrary<String> settingNames = Arbitraries.oneOf(names(), Arbitraries.of("loss", "param", "state", "input", "output"));
        Arbitrary<Ast.TrainItem> setting = Combinators.combine(settingNames, e.list().ofMaxSize(2))
                .as((n, vs) -> new Ast.TrainSetting(N, n, vs));
        Arbitrary<Ast.TrainItem> item = Arbitraries.recursive(() -> setting,
                inner -> Arbitraries.oneOf(setting, Combinators.combine(names(), inner.list().ofMaxSize(3))
                        .as((n, items) -> new Ast.TrainStep(N, n, items))), 0, 2);
        return item.list().ofMaxSize(4);
    }

    // ---- types -------------------------------------------------------------------------------------
    public static Arbitrary<Ast.TypeExpr> types() {
        Arbitrary<String> dtypes = Arbitraries.of("f16", "f32", "f64", "i32", "i64", "bool");
        Arbitrary<Ast.DimExpr> dimAtoms = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 100_000).map(v -> new Ast.DimInt(N, v)),
                names().map(n -> new Ast.DimName(N, n)));
        Arbitrary<Ast.DimExpr> dims = Arbitraries.recursive(() -> dimAtoms, inner -> Combinators.combine(
                Arbitraries.of("+", "-", "*", "/", "%"), inner, inner).as((op, l, r) -> new Ast.DimBinary(N, op, l, r)), 0, 3);
        Arbitrary<Ast.DimExpr> dimItems = Arbitraries.frequencyOf(
                Tuple.of(5, dims), Tuple.of(1, Arbitraries.just(new Ast.DimEllipsis(N))));
        Arbitrary<Ast.TypeExpr> tensor = Combinators.combine(dtypes, dimItems.list().ofMaxSize(3), Arbitraries.of(true, false))
                .as((dt, ds, bare) -> new Ast.TensorType(N, dt, bare ? List.of() : ds, bare));
        Arbitrary<Ast.TypeExpr> named = names().map(n -> new Ast.NamedType(N, n));
        return Arbitraries.recursive(() -> Arbitraries.oneOf(tensor, named),
                inner -> Arbitraries.oneOf(tensor, named, inner.list().ofMinSize(2).ofMaxSize(3).map(ts -> new Ast.TupleType(N, ts))), 0, 2);
    }

    // ---- statements --------------------------------------------------------------------------------
    static Arbitrary<Ast.Block> blocks(Arbitrary<Ast.Expr> e) {
        return stmts(e).list().ofMaxSize(4).map(ss -> new Ast.Block(N, ss));
    }

    static Arbitrary<Ast.Stmt> stmts(Arbitrary<Ast.Expr> e) {
        Arbitrary<Ast.TypeExpr> t = types();
        return Arbitraries.oneOf(
                Combinators.combine(names(), t).as((n, ty) -> new Ast.InputStmt(N, n, ty)),
                Combinators.combine(names(), t, orNull(e)).as((n, ty, v) -> new Ast.ParamStmt(N, n, ty, v)),
                Combinators.combine(names(), t, orNull(e)).as((n, ty, v) -> new Ast.StateStmt(N, n, ty, v)),
                Combinators.combine(names(), orNull(e)).as((n, v) -> new Ast.OutputStmt(N, n, v)),
                Combinators.combine(orNull(names()), e).as((n, v) -> new Ast.LossStmt(N, n, v)),
                Combinators.combine(names().list().ofMinSize(1).ofMaxSize(3), Arbitraries.of("<-", "+=", "-="), e)
                        .as((tg, op, v) -> new Ast.UpdateStmt(N, tg, op, v)),
                Combinators.combine(patterns().list().ofMinSize(1).ofMaxSize(3), e).as((ps, v) -> new Ast.AssignStmt(N, ps, v)),
                orNull(e).map(v -> new Ast.ReturnStmt(N, v)),
                e.map(v -> new Ast.ExprStmt(N, v)));
    }

    public static Arbitrary<Ast.Pattern> patterns() {
        Arbitrary<Ast.Pattern> leaf = Arbitraries.oneOf(names().map(n -> new Ast.NamePattern(N, n)), Arbitraries.just(new Ast.WildcardPattern(N)));
        return Arbitraries.recursive(() -> leaf,
                inner -> Arbitraries.oneOf(leaf, inner.list().ofMinSize(2).ofMaxSize(3).map(ps -> new Ast.TuplePattern(N, ps))), 0, 2);
    }

    // ---- expressions -------------------------------------------------------------------------------
    public static Arbitrary<Ast.Expr> exprs() {
        return Arbitraries.recursive(AstArbitraries::atoms, AstArbitraries::compound, 0, EXPR_DEPTH);
    }

    /**
     * Operator trees: mostly binary and unary operators, some postfix, if and fn, over small atoms,
     * so that every pair of precedence levels meets often.
     */
    public static Arbitrary<Ast.Expr> operatorExprs() {
        Arbitrary<Ast.Expr> leaves = Arbitraries.oneOf(
                Arbitraries.of("a", "b", "c").map(n -> new Ast.Name(N, n)),
                Arbitraries.longs().between(0, 9).map(v -> new Ast.IntLit(N, v)),
                Arbitraries.of("1.5", ".5", "2e3").map(t -> new Ast.FloatLit(N, Double.parseDouble(t), t)));
        Arbitrary<String> binOps = Arbitraries.of("or", "and", "<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "%", "@", "**");
        return Arbitraries.recursive(() -> leaves, e -> operatorLevel(e, binOps), 1, 6);
    }

    private static Arbitrary<Ast.Expr> operatorLevel(Arbitrary<Ast.Expr> e, Arbitrary<String> binOps) {
        Arbitrary<Ast.Expr> binary = Combinators.combine(binOps, e, e).as((op, l, r) -> new Ast.Binary(N, op, l, r));
        Arbitrary<Ast.Expr> unary = Combinators.combine(Arbitraries.of("-", "+", "not"), e).as((op, x) -> new Ast.Unary(N, op, x));
        Arbitrary<Ast.Expr> member = e.map(x -> new Ast.Member(N, x, "m"));
        Arbitrary<Ast.Expr> call = e.map(x -> new Ast.Call(N, x, List.of()));
        Arbitrary<Ast.Expr> index = e.map(x -> new Ast.Index(N, x, List.of(new Ast.PointIndex(N, x))));
        Arbitrary<Ast.Expr> ifs = Arbitraries.oneOf(
                Combinators.combine(e, e, e).as((c, t, o) -> new Ast.If(N, c, oneStmt(t), oneStmt(o))),
                Combinators.combine(e, e).as((c, t) -> new Ast.If(N, c, oneStmt(t), null)));
        Arbitrary<Ast.Expr> lambdas = e.map(x -> new Ast.Lambda(N, List.of(), oneStmt(x)));
        return Arbitraries.frequencyOf(Tuple.of(8, binary), Tuple.of(3, unary), Tuple.of(1, member), Tuple.of(1, call),
                Tuple.of(1, index), Tuple.of(1, ifs), Tuple.of(1, lambdas));
    }

    private static Ast.Block oneStmt(Ast.Expr e) {
        return new Ast.Block(N, List.of(new Ast.ExprStmt(N, e)));
    }

    static Arbitrary<Ast.Expr> atoms() {
        Arbitrary<String> floatTexts = Combinators.combine(
                Arbitraries.strings().numeric().ofMaxLength(3), Arbitraries.strings().numeric().ofMaxLength(3),
                Arbitraries.of("", "e5", "E-3", "e+10", "e0"))
                .as((a, b, exp) -> a.isEmpty() && b.isEmpty() ? "0." + exp : a + "." + b + exp)
                .filter(s -> !s.startsWith("."))
                .injectDuplicates(0.1);
        Arbitrary<String> shortFloats = Arbitraries.of(".5", "1e-3", "2E8", "0.25", "1.");
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(v -> new Ast.IntLit(N, v)),
                Arbitraries.oneOf(floatTexts, shortFloats).map(s -> new Ast.FloatLit(N, Double.parseDouble(s), s)),
                Arbitraries.strings().withChars("ab \"\\\n\t\r'#/{}()é").ofMaxLength(6).map(s -> new Ast.StringLit(N, s)),
                Arbitraries.of(true, false).map(b -> new Ast.BoolLit(N, b)),
                Arbitraries.just(new Ast.InfLit(N)),
                names().map(n -> new Ast.Name(N, n)),
                Arbitraries.of("f16", "f32", "f64", "i32", "i64", "bool").map(d -> new Ast.DTypeRef(N, d)));
    }

    private static Arbitrary<Ast.Expr> compound(Arbitrary<Ast.Expr> e) {
        Arbitrary<String> binOps = Arbitraries.of("or", "and", "<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "%", "@", "**");
        Arbitrary<Ast.IndexItem> indexItems = Arbitraries.oneOf(
                e.map(x -> new Ast.PointIndex(N, x)),
                Arbitraries.just(new Ast.EllipsisIndex(N)),
                Combinators.combine(orNull(e), orNull(e), orNull(e), Arbitraries.of(true, false))
                        .as((a, b, c, s) -> new Ast.SliceIndex(N, a, b, c, s || c != null)));
        Arbitrary<Ast.Arg> args = Combinators.combine(orNull(names()), e).as((n, v) -> new Ast.Arg(N, n, v));
        Arbitrary<Ast.Block> smallBlocks = stmts(e).list().ofMaxSize(2).map(ss -> new Ast.Block(N, ss));
        Arbitrary<Ast.Block> elseBlocks = Arbitraries.oneOf(smallBlocks,
                Combinators.combine(e, smallBlocks, smallBlocks).as((c, t, o) -> new Ast.Block(N, List.of(new Ast.ExprStmt(N, new Ast.If(N, c, t, o))))));
        return Arbitraries.oneOf(
                e,
                Combinators.combine(binOps, e, e).as((op, l, r) -> new Ast.Binary(N, op, l, r)),
                Combinators.combine(Arbitraries.of("-", "+", "not"), e).as((op, x) -> new Ast.Unary(N, op, x)),
                Combinators.combine(e, args.list().ofMaxSize(3)).as((f, as) -> new Ast.Call(N, f, as)),
                Combinators.combine(e, indexItems.list().ofMinSize(1).ofMaxSize(3)).as((x, is) -> new Ast.Index(N, x, is)),
                Combinators.combine(e, Arbitraries.oneOf(names(), Arbitraries.of("loss", "step", "T", "shape")))
                        .as((x, n) -> new Ast.Member(N, x, n)),
                Arbitraries.oneOf(e.list().ofSize(0), e.list().ofSize(1), e.list().ofMinSize(2).ofMaxSize(3)).map(xs -> new Ast.TupleExpr(N, xs)),
                e.list().ofMaxSize(3).map(xs -> new Ast.ListExpr(N, xs)),
                Combinators.combine(e, smallBlocks, elseBlocks).as((c, t, o) -> new Ast.If(N, c, t, o)),
                Combinators.combine(patterns().list().ofMaxSize(3), smallBlocks).as((ps, b) -> new Ast.Lambda(N, ps, b)));
    }
}
