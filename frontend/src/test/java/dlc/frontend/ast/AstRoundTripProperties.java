package dlc.frontend.ast;

import dlc.frontend.parse.ParseResult;
import dlc.frontend.parse.SourceParser;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Printing a random well-formed AST and parsing the text gives the AST back. */
class AstRoundTripProperties {

    @Provide
    Arbitrary<Ast.Program> programs() { return AstArbitraries.programs(); }

    @Provide
    Arbitrary<Ast.Expr> exprs() { return AstArbitraries.exprs(); }

    @Provide
    Arbitrary<Ast.Expr> operatorExprs() { return AstArbitraries.operatorExprs(); }

    /** Every pair of precedence levels, nested both ways: parentheses exactly where the grammar needs them. */
    @Property(tries = 500)
    void operatorTreesRoundTrip(@ForAll("operatorExprs") Ast.Expr e) {
        expressionsRoundTripInAConst(e);
    }

    @Property
    void printThenParseGivesTheSameTree(@ForAll("programs") Ast.Program ast) {
        String text = AstPrinter.print(ast);
        ParseResult parsed = SourceParser.parse(ast.file(), text);
        assertTrue(parsed.ok(), () -> "printed program does not parse:\n" + text + "\n" + parsed.render());
        assertEquals(ast, AstSpans.strip(parsed.program()), () -> "round trip changed the tree of:\n" + text);
    }

    @Property
    void printingIsAFixedPoint(@ForAll("programs") Ast.Program ast) {
        String once = AstPrinter.print(ast);
        String twice = AstPrinter.print(SourceParser.parse(ast.file(), once).program());
        assertEquals(once, twice);
    }

    /** Expressions get deeper trees here than inside whole programs: precedence and parentheses. */
    @Property(tries = 300)
    void expressionsRoundTripInAConst(@ForAll("exprs") Ast.Expr e) {
        Ast.Program ast = new Ast.Program("e.dl", java.util.List.of(new Ast.Const(Span.NONE, "c", e)));
        String text = AstPrinter.print(ast);
        ParseResult parsed = SourceParser.parse("e.dl", text);
        assertTrue(parsed.ok(), () -> "printed expression does not parse:\n" + text + "\n" + parsed.render());
        assertEquals(ast, AstSpans.strip(parsed.program()), () -> "round trip changed the tree of:\n" + text);
    }
}
