package dlc.ir.text;

import dlc.ir.*;
import dlc.ir.ops.Ops;

import java.util.*;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text form written by {@link IrPrinter} back into graphs. Nodes are rebuilt with the
 * result types written in the text, without running shape rules, so that a pass test can feed
 * any IR, even ill-typed IR, to a pass; run {@link Verifier} to check it. The parser itself
 * rejects what it cannot represent: syntax errors, unknown ops, undefined or twice-defined
 * values, each with line:col.
 *
 * <p>Lexical rules: {@code #} starts a comment to the end of the line. A comment on the line of a
 * node (after its types, or after the {@code {} that opens its nested graphs) that reads
 * {@code file:line:col} is that node's source location; any other comment is ignored. Value
 * names are {@code %} followed by a number (a value without a name hint), a plain name
 * ({@code %encoder.dense_1.w}) or a quoted string ({@code %"my input"}). Each graph, nested ones
 * included, is its own scope: a nested graph sees only its own inputs.
 */
public final class IrParser {
    private static final Pattern LOC = Pattern.compile("(.+):(\\d+):(\\d+)");

    private final String text;
    private final String source;
    private final Function<String, Optional<OpDef>> ops;
    private int pos;

    private IrParser(String text, String source, Function<String, Optional<OpDef>> ops) {
        this.text = text;
        this.source = source;
        this.ops = ops;
    }

    /** Parses a module: an optional {@code module NAME} header (default name "main"), then graphs. */
    public static dlc.ir.Module parseModule(String text) { return parseModule(text, null); }

    /** As {@link #parseModule(String)}; {@code source} (a file name, or null) prefixes error positions. */
    public static dlc.ir.Module parseModule(String text, String source) {
        return new IrParser(text, source, Ops::find).module();
    }

    /** Parses exactly one graph. */
    public static Graph parseGraph(String text) { return parseGraph(text, null); }

    public static Graph parseGraph(String text, String source) {
        return parseGraph(text, source, Ops::find);
    }

    /** As {@link #parseGraph(String, String)}, looking ops up with {@code ops} (tests define their own). */
    public static Graph parseGraph(String text, String source, Function<String, Optional<OpDef>> ops) {
        IrParser p = new IrParser(text, source, ops);
        p.blank();
        Graph g = p.graph();
        p.blank();
        if (!p.atEnd()) throw p.error("expected the end of the text after the graph");
        return g;
    }

    // ---- structure ----

    private dlc.ir.Module module() {
        blank();
        String name = "main";
        if (keywordAhead("module")) {
            word();
            ws();
            name = name("a module name");
        }
        List<Graph> graphs = new ArrayList<>();
        blank();
        while (!atEnd()) {
            graphs.add(graph());
            blank();
        }
        return new dlc.ir.Module(name, graphs);
    }

    private Graph graph() {
        if (!keywordAhead("graph")) throw error("expected 'graph'");
        word();
        ws();
        return graphBody(name("a graph name"));
    }

    /** A named graph from its input list through its closing brace. */
    private Graph graphBody(String graphName) {
        Map<String, Value> scope = new HashMap<>();
        List<Value> inputs = new ArrayList<>();
        ws();
        expect('(');
        blank();
        if (!peek(')')) {
            do {
                blank();
                Value.Role role = Value.Role.INPUT;
                if (keywordAhead("param")) { word(); role = Value.Role.PARAM; ws(); }
                else if (keywordAhead("state")) { word(); role = Value.Role.STATE; ws(); }
                int at = pos;
                Ref r = ref();
                ws();
                expect(':');
                ws();
                Value v = Value.graphInput(r.numbered ? null : r.key, type(), role);
                define(scope, r, at, v);
                inputs.add(v);
                blank();
            } while (accept(','));
        }
        expect(')');
        ws();
        expect('{');
        List<Node> nodes = new ArrayList<>();
        List<Graph.Output> outputs = new ArrayList<>();
        while (true) {
            blank();
            if (atEnd()) throw error("expected '}' to close graph " + graphName);
            if (accept('}')) break;
            statement(scope, nodes, outputs);
        }
        return new Graph(graphName, inputs, nodes, outputs);
    }

    private void statement(Map<String, Value> scope, List<Node> nodes, List<Graph.Output> outputs) {
        if (peek('%')) { node(scope, nodes); return; }
        int at = pos;
        String w = word();
        if (w.isEmpty()) throw error("expected a node, an output or '}'");
        ws();
        if (peek('(')) { pos = at; node(scope, nodes); return; } // an op without results
        switch (w) {
            case "output" -> outputs.add(output(scope, Graph.Output.Role.OUTPUT));
            case "loss" -> outputs.add(output(scope, Graph.Output.Role.LOSS));
            case "update" -> outputs.add(output(scope, Graph.Output.Role.UPDATE));
            case "grad" -> outputs.add(output(scope, Graph.Output.Role.GRAD));
            case "yield" -> {
                int i = 0;
                do {
                    ws();
                    outputs.add(new Graph.Output(Integer.toString(i++), Graph.Output.Role.OUTPUT, use(scope)));
                    ws();
                } while (accept(','));
            }
            default -> throw error(at, "expected a node, 'output', 'loss', 'update', 'grad' or 'yield', got '" + w + "'");
        }
        endOfLine();
    }

    private Graph.Output output(Map<String, Value> scope, Graph.Output.Role role) {
        String n = name("an output name");
        ws();
        expect('=');
        ws();
        return new Graph.Output(n, role, use(scope));
    }

    private void node(Map<String, Value> scope, List<Node> nodes) {
        List<Ref> results = new ArrayList<>();
        List<Integer> resultAt = new ArrayList<>();
        if (peek('%')) {
            do {
                ws();
                resultAt.add(pos);
                results.add(ref());
                ws();
            } while (accept(','));
            expect('=');
            ws();
        }
        int opAt = pos;
        String opName = word();
        if (opName.isEmpty()) throw error("expected an op name");
        OpDef op = ops.apply(opName).orElseThrow(() -> error(opAt, "unknown op '" + opName + "'"));
        ws();
        expect('(');
        List<Value> operands = new ArrayList<>();
        blank();
        if (!peek(')')) {
            do {
                blank();
                operands.add(use(scope));
                blank();
            } while (accept(','));
        }
        expect(')');
        ws();
        Attrs attrs = Attrs.EMPTY;
        if (peek('{') && !regionsAhead()) attrs = attrs();
        ws();
        List<TensorType> types = new ArrayList<>();
        if (accept(':')) {
            do {
                ws();
                types.add(type());
                ws();
            } while (accept(','));
        }
        if (types.size() != results.size())
            throw error(opAt, opName + " names " + results.size() + " result" + (results.size() == 1 ? "" : "s")
                    + " but declares " + types.size() + " type" + (types.size() == 1 ? "" : "s"));
        List<Graph> regions = new ArrayList<>();
        SourceLoc loc;
        if (accept('{')) {
            loc = trailingLoc();
            while (true) {
                blank();
                if (accept('}')) break;
                if (!accept('^')) throw error("expected '^name(...)' starting a nested graph, or '}'");
                regions.add(graphBody(name("a nested graph name")));
            }
            endOfLine();
        } else {
            loc = trailingLoc();
        }
        List<String> hints = results.stream().map(r -> r.numbered ? null : r.key).toList();
        Node n = new Node(op, operands, attrs, regions, types, hints, loc);
        for (int i = 0; i < results.size(); i++) define(scope, results.get(i), resultAt.get(i), n.outputs().get(i));
        nodes.add(n);
    }

    /** After '{': does a nested graph ('^') follow rather than attributes? */
    private boolean regionsAhead() {
        int save = pos;
        pos++;
        blank();
        boolean r = peek('^');
        pos = save;
        return r;
    }

    // ---- attributes ----

    private Attrs attrs() {
        expect('{');
        Attrs a = Attrs.EMPTY;
        blank();
        if (accept('}')) return a;
        do {
            blank();
            int at = pos;
            String key = name("an attribute name");
            if (a.has(key)) throw error(at, "attribute '" + key + "' is given twice");
            ws();
            expect('=');
            ws();
            a = a.with(key, attrValue());
            blank();
        } while (accept(','));
        expect('}');
        return a;
    }

    private Object attrValue() {
        int at = pos;
        if (peek('"')) return quoted();
        if (accept('<')) {
            int end = text.indexOf('>', pos);
            if (end < 0) throw error(at, "unclosed shape '<'");
            Shape s = dims(text.substring(pos, end), pos);
            pos = end + 1;
            return s;
        }
        if (accept('[')) {
            List<Object> items = new ArrayList<>();
            blank();
            if (!peek(']')) {
                do {
                    blank();
                    items.add(number());
                    blank();
                } while (accept(','));
            }
            expect(']');
            if (items.stream().anyMatch(x -> x instanceof Double))
                return items.stream().map(x -> ((Number) x).doubleValue()).toList();
            return items.stream().map(x -> (Long) x).toList();
        }
        if (peek('-') || (pos < text.length() && Character.isDigit(text.charAt(pos)))) return number();
        String w = word();
        switch (w) {
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            case "inf": return Double.POSITIVE_INFINITY;
            case "nan": return Double.NaN;
            default:
                DType d = DType.fromText(w);
                if (d == null) throw error(at, w.isEmpty() ? "expected an attribute value" : "unknown attribute value '" + w + "'");
                return d;
        }
    }

    /** A Long ({@code -3}) or a Double ({@code 0.5}, {@code 1.0e-5}, {@code inf}, {@code -inf}, {@code nan}). */
    private Object number() {
        int at = pos;
        boolean neg = accept('-');
        if (keywordAhead("inf")) { word(); return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY; }
        if (keywordAhead("nan")) { word(); return Double.NaN; }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        if (pos == digits) throw error(at, "expected a number");
        boolean floating = false;
        if (peek('.')) {
            floating = true;
            pos++;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        }
        if (peek('e') || peek('E')) {
            floating = true;
            pos++;
            if (peek('+') || peek('-')) pos++;
            int exp = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            if (pos == exp) throw error("expected exponent digits");
        }
        String s = text.substring(at, pos);
        try {
            return floating ? (Object) Double.parseDouble(s) : (Object) Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(at, "bad number '" + s + "'");
        }
    }

    // ---- types ----

    private TensorType type() {
        int at = pos;
        String d = word();
        DType dtype = DType.fromText(d);
        if (dtype == null) throw error(at, d.isEmpty() ? "expected a type such as f32[B, 784]" : "unknown dtype '" + d + "'");
        expect('[');
        int depth = 0, start = pos;
        while (true) {
            if (atEnd() || peek('\n')) throw error(at, "unclosed '[' in type");
            char c = text.charAt(pos);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ']' && depth == 0) break;
            pos++;
        }
        Shape s = dims(text.substring(start, pos), start);
        pos++;
        return new TensorType(dtype, s);
    }

    /** Comma-separated dims (commas inside parentheses belong to a dim); {@code offset} positions errors. */
    private Shape dims(String body, int offset) {
        if (body.isBlank()) return Shape.SCALAR;
        List<Dim> dims = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i <= body.length(); i++) {
            char c = i < body.length() ? body.charAt(i) : ',';
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                String raw = body.substring(start, i), part = raw.strip();
                int at = offset + start + raw.indexOf(part.isEmpty() ? raw : part);
                if (part.isEmpty()) throw error(at, "empty dim");
                try {
                    dims.add(Dim.parse(part));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw error(at, e.getMessage());
                }
                start = i + 1;
            }
        }
        return new Shape(dims);
    }

    // ---- names and values ----

    /** A value reference as written: its scope key and whether it was a bare number (no name hint). */
    private record Ref(String key, boolean numbered) {}

    private Ref ref() {
        expect('%');
        if (peek('"')) return new Ref(quoted(), false);
        int start = pos;
        if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            return new Ref(text.substring(start, pos), true);
        }
        String w = word();
        if (w.isEmpty()) throw error("expected a value name after '%'");
        return new Ref(w, false);
    }

    private Value use(Map<String, Value> scope) {
        int at = pos;
        Ref r = ref();
        Value v = scope.get(r.key);
        if (v == null) throw error(at, "undefined value %" + (r.numbered || Names.isPlain(r.key) ? r.key : Names.quote(r.key)));
        return v;
    }

    private void define(Map<String, Value> scope, Ref r, int at, Value v) {
        if (scope.putIfAbsent(r.key, v) != null)
            throw error(at, "value %" + r.key + " is defined twice in this graph");
    }

    /** A plain or quoted name. */
    private String name(String what) {
        if (peek('"')) return quoted();
        String w = word();
        if (w.isEmpty()) throw error("expected " + what);
        return w;
    }

    private String quoted() {
        int at = pos;
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (atEnd()) throw error(at, "unclosed string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c != '\\') { sb.append(c); continue; }
            if (atEnd()) throw error(at, "unclosed string");
            char e = text.charAt(pos++);
            switch (e) {
                case '\\', '"' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                default -> throw error(pos - 2, "unknown escape '\\" + e + "'");
            }
        }
    }

    /** A plain name {@code [A-Za-z_][A-Za-z0-9_.]*}, or "" when none starts here. */
    private String word() {
        int start = pos;
        if (pos < text.length() && Names.isStart(text.charAt(pos))) {
            pos++;
            while (pos < text.length() && Names.isPart(text.charAt(pos))) pos++;
        }
        return text.substring(start, pos);
    }

    private boolean keywordAhead(String kw) {
        if (!text.startsWith(kw, pos)) return false;
        int end = pos + kw.length();
        return end == text.length() || !Names.isPart(text.charAt(end));
    }

    // ---- comments, locations and whitespace ----

    /** The source location in a comment ending the current line, or UNKNOWN; consumes the line end. */
    private SourceLoc trailingLoc() {
        ws();
        SourceLoc loc = SourceLoc.UNKNOWN;
        if (peek('#')) {
            int start = ++pos;
            while (!atEnd() && !peek('\n')) pos++;
            Matcher m = LOC.matcher(text.substring(start, pos).strip());
            if (m.matches()) {
                try {
                    loc = new SourceLoc(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                } catch (NumberFormatException e) {
                    loc = SourceLoc.UNKNOWN; // digits too long for a line number: an ordinary comment
                }
            }
        }
        endOfLine();
        return loc;
    }

    /** Requires the end of the line (or of the text) after optional spaces and a comment. */
    private void endOfLine() {
        ws();
        if (peek('#')) while (!atEnd() && !peek('\n')) pos++;
        if (atEnd()) return;
        if (peek('\r')) pos++;
        if (!accept('\n')) throw error("expected the end of the line, got '" + text.charAt(pos) + "'");
    }

    /** Skips spaces and tabs. */
    private void ws() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) pos++;
    }

    /** Skips whitespace, line ends and comments. */
    private void blank() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else if (c == '#') while (pos < text.length() && text.charAt(pos) != '\n') pos++;
            else return;
        }
    }

    private boolean atEnd() { return pos >= text.length(); }

    private boolean peek(char c) { return pos < text.length() && text.charAt(pos) == c; }

    private boolean accept(char c) {
        if (!peek(c)) return false;
        pos++;
        return true;
    }

    private void expect(char c) {
        if (!accept(c)) throw error("expected '" + c + "'" + (atEnd() ? " at the end of the text" : ", got '" + text.charAt(pos) + "'"));
    }

    private IrParseException error(String message) { return error(pos, message); }

    private IrParseException error(int at, String message) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(at, text.length()); i++) {
            if (text.charAt(i) == '\n') { line++; col = 1; }
            else col++;
        }
        return new IrParseException(source, line, col, message);
    }
}
