package dlc.frontend.ast;

import dlc.frontend.parse.ParseResult;
import dlc.frontend.parse.SourceParser;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spans of parsed programs point at the text they came from. */
class SpanProperties {

    @Provide
    Arbitrary<Ast.Program> programs() { return AstArbitraries.programs(); }

    /** Every node of a tree, found through the record components (so no node kind is forgotten). */
    static List<Record> nodes(Object root) {
        List<Record> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Object o, List<Record> out) {
        if (o instanceof List<?> l) {
            for (Object x : l) collect(x, out);
        } else if (o instanceof Record r && !(o instanceof Span)) {
            out.add(r);
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    collect(c.getAccessor().invoke(r), out);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static Span span(Record r) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.getType() == Span.class) {
                try {
                    return (Span) c.getAccessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return null;
    }

    /** How a leaf is written, or null for nodes whose text is not determined by their value. */
    private static String spelling(Record node) {
        if (node instanceof Ast.Name n) return n.name();
        if (node instanceof Ast.IntLit i) return Long.toString(i.value());
        if (node instanceof Ast.FloatLit f) return f.text();
        if (node instanceof Ast.DTypeRef d) return d.dtype();
        if (node instanceof Ast.InfLit) return "inf";
        if (node instanceof Ast.BoolLit b) return Boolean.toString(b.value());
        if (node instanceof Ast.NamePattern p) return p.name();
        if (node instanceof Ast.DimName d) return d.name();
        if (node instanceof Ast.DimInt d) return Long.toString(d.value());
        if (node instanceof Ast.NamedType t) return t.name();
        return null;
    }

    /** The keyword a node's text starts with, or null. */
    private static String keyword(Record node) {
        if (node instanceof Ast.If) return "if ";
        if (node instanceof Ast.Lambda) return "fn(";
        if (node instanceof Ast.InputStmt) return "input ";
        if (node instanceof Ast.ParamStmt) return "param ";
        if (node instanceof Ast.StateStmt) return "state ";
        if (node instanceof Ast.OutputStmt) return "output ";
        if (node instanceof Ast.LossStmt) return "loss ";
        if (node instanceof Ast.ReturnStmt) return "return";
        if (node instanceof Ast.Import) return "import ";
        if (node instanceof Ast.Const) return "const ";
        if (node instanceof Ast.Def) return "def ";
        if (node instanceof Ast.Model) return "model ";
        if (node instanceof Ast.Train) return "train ";
        if (node instanceof Ast.TrainStep) return "step ";
        // else if / else expr: a block made by the parser, spanning its one expression
        if (node instanceof Ast.Block b) return b.stmts().size() == 1 && b.stmts().get(0).span().equals(b.span()) ? null : "{";
        return null;
    }

    @Property
    void everySpanLiesOnItsLineAndLeavesStartWithTheirSpelling(@ForAll("programs") Ast.Program ast) {
        String text = AstPrinter.print(ast);
        ParseResult r = SourceParser.parse("s.dl", text);
        assertTrue(r.ok(), r::render);
        String[] lines = text.split("\n", -1);
        for (Record node : nodes(r.program())) {
            Span s = span(node);
            if (s == null) continue; // Program
            assertEquals("s.dl", s.file());
            assertTrue(s.line() >= 1 && s.line() <= lines.length, () -> node + "\n" + text);
            String line = lines[s.line() - 1];
            assertTrue(s.col() >= 1 && s.length() >= 1 && s.col() - 1 + s.length() <= Math.max(line.length(), s.col()),
                    () -> "span " + s + "+" + s.length() + " off its line '" + line + "' for " + node);
            String at = line.substring(s.col() - 1, Math.min(line.length(), s.col() - 1 + s.length()));
            String spelling = spelling(node);
            if (spelling != null) assertEquals(spelling, at, () -> "span of " + node + " in line '" + line + "'");
            String keyword = keyword(node);
            if (keyword != null) assertTrue(at.startsWith(keyword), () -> "span of " + node + " does not start at '" + keyword + "': " + at);
        }
    }
}
