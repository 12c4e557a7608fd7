package dlc.frontend.parse;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.AstPrinter;
import dlc.frontend.ast.AstSpans;
import dlc.grammar.DlLexer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged versions of realistic programs (a token deleted, two tokens swapped, random characters
 * inserted) never make the parser throw: they give diagnostics with sane locations, or a program
 * that prints and parses back to itself.
 */
class MutatedProgramProperties {
    private static final List<String> SAMPLES = List.of("mlp.dl", "lstm.dl", "gan.dl", "misc.dl");

    /** A sample's text and the character ranges [start, stop] of its tokens. */
    record Sample(String name, String text, List<int[]> tokens) {}

    private static Sample load(String name) {
        try (InputStream in = MutatedProgramProperties.class.getResourceAsStream("/samples/" + name)) {
            assertNotNull(in, "missing sample " + name);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<int[]> ranges = new ArrayList<>();
            DlLexer lexer = new DlLexer(CharStreams.fromString(text));
            lexer.removeErrorListeners();
            for (Token t : lexer.getAllTokens()) ranges.add(new int[] {t.getStartIndex(), t.getStopIndex()});
            return new Sample(name, text, ranges);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<String> mutants() {
        Arbitrary<Sample> samples = Arbitraries.of(SAMPLES).map(MutatedProgramProperties::load);
        Arbitrary<String> junk = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(4), // any chars: control, surrogates, unicode
                Arbitraries.strings().withChars("(){}[]\"'$@#=,:;.\\\n*-+<>!&|_0123456789e").ofMinLength(1).ofMaxLength(4),
                Arbitraries.of("input", "model", "fn", "if", "else", "=", "==", "<-", "...", "**", "/*", "*/", "//", "\r", "\t", "\u0000"));
        return samples.flatMap(s -> {
            int n = s.tokens().size();
            Arbitrary<Integer> tok = Arbitraries.integers().between(0, n - 1);
            Arbitrary<Integer> pos = Arbitraries.integers().between(0, s.text().length());
            Arbitrary<String> deleted = tok.map(i -> cut(s.text(), s.tokens().get(i)[0], s.tokens().get(i)[1] + 1, ""));
            Arbitrary<String> swapped = Combinators.combine(tok, tok).as((i, j) -> swap(s, Math.min(i, j), Math.max(i, j)));
            Arbitrary<String> inserted = Combinators.combine(pos, junk).as((p, j) -> cut(s.text(), p, p, j));
            Arbitrary<String> one = Arbitraries.oneOf(deleted, swapped, inserted);
            // several damages at once: each applied to the text the previous one left
            return Arbitraries.oneOf(one, Combinators.combine(pos, pos, junk, tok)
                    .as((p, q, j, i) -> cut(cut(s.text(), p, p, j), Math.min(q, s.text().length()), Math.min(q, s.text().length()), j)));
        });
    }

    private static String cut(String text, int from, int to, String replacement) {
        return text.substring(0, from) + replacement + text.substring(to);
    }

    private static String swap(Sample s, int i, int j) {
        if (i == j) return s.text();
        int[] a = s.tokens().get(i), b = s.tokens().get(j);
        String t = s.text();
        return t.substring(0, a[0]) + t.substring(b[0], b[1] + 1) + t.substring(a[1] + 1, b[0]) + t.substring(a[0], a[1] + 1) + t.substring(b[1] + 1);
    }

    @Property(tries = 1000)
    void damagedProgramsGiveDiagnosticsNotExceptions(@ForAll("mutants") String text) {
        ParseResult r = SourceParser.parse("m.dl", text);
        assertNotNull(r.program());
        Statistics.label("outcome").collect(r.ok() ? "accepted" : "diagnosed")
                .coverage(c -> {
                    c.check("diagnosed").percentage(p -> p > 40);
                    c.check("accepted").percentage(p -> p > 2);
                });
        int lines = text.split("\r?\n", -1).length;
        for (Diagnostic d : r.diagnostics()) {
            assertTrue(d.span().line() >= 1 && d.span().line() <= lines, () -> "line out of range: " + d + "\n" + text);
            assertTrue(d.span().col() >= 1 && d.span().length() >= 1, () -> "bad column: " + d);
            assertFalse(d.message().contains("<missing") || d.message().contains("mismatched input") || d.message().contains("'\\n'"),
                    () -> "raw ANTLR wording: " + d.message());
        }
        assertTrue(r.diagnostics().size() <= SyntaxErrorSink.MAX_ERRORS + 1);
        String rendered = r.render();
        assertEquals(r.ok(), rendered.isEmpty());
        if (r.ok()) {
            // an accepted damaged program is still a program: it prints and parses back to itself
            String printed = AstPrinter.print(r.program());
            ParseResult again = SourceParser.parse("m.dl", printed);
            assertTrue(again.ok(), () -> "accepted program prints as text that does not parse:\n" + printed + "\n" + again.render());
            assertEquals(AstSpans.strip(r.program()), AstSpans.strip(again.program()));
        }
    }

    @Property(tries = 20)
    void samplesParseCleanly(@ForAll("sampleNames") String name) {
        ParseResult r = SourceParser.parse(name, load(name).text());
        assertTrue(r.ok(), r::render);
        assertFalse(r.program().decls().isEmpty());
    }

    @Provide
    Arbitrary<String> sampleNames() { return Arbitraries.of(SAMPLES); }
}
