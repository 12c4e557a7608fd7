package dlc.ir.text;

import dlc.ir.*;
import dlc.ir.eval.EvalContext;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class IrTextTest {
    private static final TensorType BX = new TensorType(DType.F32, Shape.of(Dim.sym("B"), Dim.of(784)));

    @Test
    void printsTheDocumentedForm() {
        GraphBuilder b = new GraphBuilder("eval");
        Value x = b.input("x", BX, Value.Role.INPUT);
        Value w = b.input("encoder.dense_1.w", TensorType.of(DType.F32, 784), Value.Role.PARAM);
        Value rm = b.input("bn.rm", TensorType.scalar(DType.F32), Value.Role.STATE);
        b.at(new SourceLoc("mlp.dl", 5, 3));
        Value s = b.op(Ops.ADD, x, w);
        b.at(SourceLoc.UNKNOWN);
        Value h = b.op(Ops.RELU, Attrs.EMPTY, List.of(), List.of(s), List.of("h")).get(0);
        Value m = b.op(Ops.CAST, Attrs.of("dtype", DType.I32), h);
        b.output("probs", Graph.Output.Role.OUTPUT, h).output("loss", Graph.Output.Role.LOSS, rm)
                .output("bn.rm", Graph.Output.Role.UPDATE, rm).output("m", Graph.Output.Role.OUTPUT, m);
        String expected = """
                graph eval(%x: f32[B, 784], param %encoder.dense_1.w: f32[784], state %bn.rm: f32[]) {
                  %0 = add(%x, %encoder.dense_1.w) : f32[B, 784]  # mlp.dl:5:3
                  %h = relu(%0) : f32[B, 784]
                  %1 = cast(%h) {dtype=i32} : i32[B, 784]
                  output probs = %h
                  loss loss = %bn.rm
                  update bn.rm = %bn.rm
                  output m = %1
                }
                """;
        assertEquals(expected, IrPrinter.print(b.build()));
        Graph back = IrParser.parseGraph(expected);
        assertTrue(GraphEquivalence.equivalent(b.build(), back));
        assertEquals(new SourceLoc("mlp.dl", 5, 3), back.nodes().get(0).loc());
        assertEquals("h", back.nodes().get(1).output().name());
        assertNull(back.nodes().get(0).output().name(), "a numbered value has no name hint");
        assertEquals(Value.Role.PARAM, back.inputs().get(1).role());
    }

    @Test
    void duplicateOrInputClashingHintsBecomeNumbersAndOddHintsAreSanitized() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", BX, Value.Role.INPUT);
        Value a = named(b, "t", x), c = named(b, "t", a), d = named(b, "x", c), e = named(b, "a b'", d);
        Value f = named(b, "7", e);
        b.output("y", Graph.Output.Role.OUTPUT, f);
        String text = IrPrinter.print(b.build());
        assertTrue(text.contains("%0 = neg(%x)"), text);
        assertTrue(text.contains("%1 = neg(%0)"), text);
        assertTrue(text.contains("%2 = neg(%1)"), text);
        assertTrue(text.contains("%a_b_ = neg(%2)"), text);
        assertTrue(text.contains("%_7 = neg(%a_b_)"), text);
        assertEquals(text, IrPrinter.print(IrParser.parseGraph(text)));
    }

    @Test
    void inputNamesThatAreNotPlainAreQuotedAndKeptExactly() {
        GraphBuilder b = new GraphBuilder("my graph");
        Value x = b.input("my input", BX, Value.Role.INPUT);
        Value z = b.input("0", BX, Value.Role.INPUT);
        Value s = b.op(Ops.ADD, x, z);
        b.output("out \"q\"", Graph.Output.Role.OUTPUT, s);
        String text = IrPrinter.print(b.build());
        assertTrue(text.startsWith("graph \"my graph\"(%\"my input\": f32[B, 784], %\"0\": f32[B, 784]) {"), text);
        assertTrue(text.contains("%1 = add(%\"my input\", %\"0\")"), "numbers skip the names of inputs: " + text);
        Graph back = IrParser.parseGraph(text);
        assertEquals("0", back.inputs().get(1).name());
        assertEquals("out \"q\"", back.outputs().get(0).name());
        assertTrue(GraphEquivalence.equivalent(b.build(), back));
    }

    @Test
    void parsesHandWrittenTextWithCommentsAndSymbolicDims() {
        Graph g = IrParser.parseGraph("""
                # a comment before the graph
                graph f(%x: f32[B, 1], %y: f32[1, (T + 1)/2]) {   # trailing comment
                  %s = add(%x, %y) : f32[B, (T + 1)/2]   # m.dl:3:7
                  # a comment line inside
                  %c = gt(%s, %s) : bool[B, (T + 1)/2]   # not a location
                  output s = %s
                  output c = %c
                }
                """);
        assertEquals(List.of(), Verifier.check(g));
        assertEquals(new SourceLoc("m.dl", 3, 7), g.nodes().get(0).loc());
        assertEquals(SourceLoc.UNKNOWN, g.nodes().get(1).loc());
        assertEquals(Dim.sym("T").plus(1).floorDiv(Dim.of(2)), g.nodes().get(0).output().type().shape().dim(1));
    }

    @Test
    void parserKeepsDeclaredTypesWithoutReinferringThem() {
        Graph g = IrParser.parseGraph("""
                graph f(%x: f32[B]) {
                  %0 = neg(%x) : f32[7]
                  output y = %0
                }
                """);
        assertEquals(TensorType.of(DType.F32, 7), g.nodes().get(0).output().type());
        List<String> problems = Verifier.check(g);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("declared result types [f32[7]] but the shape rule gives [f32[B]]"), problems.get(0));
    }

    @Test
    void errorsGiveLineAndColumn() {
        assertError("graph f(%x: f32[B]) {\n  %0 = neg(%y) : f32[B]\n}\n", 2, 12, "undefined value %y");
        assertError("graph f(%x: f32[B]) {\n  %0 = negate(%x) : f32[B]\n}\n", 2, 8, "unknown op 'negate'");
        assertError("graph f(%x: f32[B]) {\n  %x = neg(%x) : f32[B]\n}\n", 2, 3, "defined twice");
        assertError("graph f(%x: f32[B]) {\n  %0, %1 = neg(%x) : f32[B]\n}\n", 2, 12, "names 2 results but declares 1 type");
        assertError("graph f(%x: f33[B]) {\n}\n", 1, 13, "unknown dtype 'f33'");
        assertError("graph f(%x: f32[B, *]) {\n}\n", 1, 20, "bad dim");
        assertError("graph f(%x: f32[B]) {\n  %0 = neg(%x) {p=\"abc} : f32[B]\n}\n", 2, 19, "unclosed string");
        assertError("graph f(%x: f32[B]) {\n  %0 = neg(%x) {p=zz} : f32[B]\n}\n", 2, 19, "unknown attribute value 'zz'");
        assertError("graph f(%x: f32[B]) {\n  %0 = neg(%x) : f32[B] junk\n}\n", 2, 25, "expected the end of the line");
        assertError("graph f(%x: f32[B]) {\n  output y = %x\n", 3, 1, "expected '}' to close graph f");
        assertError("graph f(%x: f32[B]) {\n  outptu y = %x\n}\n", 2, 3, "got 'outptu'");
    }

    private static void assertError(String text, int line, int col, String fragment) {
        IrParseException e = assertThrows(IrParseException.class, () -> IrParser.parseGraph(text, "t.ir"));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(line + ":" + col, e.line() + ":" + e.col(), e.getMessage());
        assertTrue(e.getMessage().startsWith("t.ir:" + line + ":" + col + ": "), e.getMessage());
    }

    /** A test-only op with one nested graph whose result types are the nested graph's outputs. */
    private static final OpDef CALL = new OpDef("test_call", OpDef.Kind.OPAQUE) {
        @Override public List<TensorType> infer(List<TensorType> in, Attrs attrs, List<Graph> regions) {
            return regions.get(0).outputValues().stream().map(Value::type).toList();
        }

        @Override public Tensor[] eval(Tensor[] in, Attrs attrs, List<Graph> regions, EvalContext ctx) {
            return ctx.run(regions.get(0), in);
        }

        @Override public int regionCount() { return 1; }
    };

    private static Optional<OpDef> withCall(String name) {
        return name.equals(CALL.name()) ? Optional.of(CALL) : Ops.find(name);
    }

    @Test
    void nestedGraphsPrintIndentedAndParseBack() {
        GraphBuilder body = new GraphBuilder("body");
        Value h = body.input("h", BX, Value.Role.INPUT);
        Value t = body.op(Ops.TANH, Attrs.EMPTY, List.of(), List.of(h), List.of("h2")).get(0);
        Graph bodyGraph = body.output("0", Graph.Output.Role.OUTPUT, t).output("1", Graph.Output.Role.OUTPUT, h).build();
        GraphBuilder b = new GraphBuilder("f");
        Value x = b.input("x", BX, Value.Role.INPUT);
        Value y = b.op(Ops.NEG, x);
        b.at(new SourceLoc("rnn.dl", 4, 9));
        Node call = b.add(new Node(CALL, List.of(y), Attrs.of("reverse", false), List.of(bodyGraph),
                List.of(BX, BX), null, new SourceLoc("rnn.dl", 4, 9)));
        b.output("a", Graph.Output.Role.OUTPUT, call.outputs().get(0)).output("b", Graph.Output.Role.OUTPUT, call.outputs().get(1));
        Graph g = b.build();
        String expected = """
                graph f(%x: f32[B, 784]) {
                  %0 = neg(%x) : f32[B, 784]
                  %1, %2 = test_call(%0) {reverse=false} : f32[B, 784], f32[B, 784] {  # rnn.dl:4:9
                    ^body(%h: f32[B, 784]) {
                      %h2 = tanh(%h) : f32[B, 784]
                      yield %h2, %h
                    }
                  }
                  output a = %1
                  output b = %2
                }
                """;
        assertEquals(expected, IrPrinter.print(g));
        Graph back = IrParser.parseGraph(expected, null, IrTextTest::withCall);
        assertEquals(Optional.empty(), GraphEquivalence.difference(g, back));
        assertEquals(new SourceLoc("rnn.dl", 4, 9), back.nodes().get(1).loc());
        assertEquals(expected, IrPrinter.print(back));
    }

    @Test
    void nestedGraphIsClosed() {
        String text = """
                graph f(%x: f32[B]) {
                  %0 = test_call(%x) : f32[B] {
                    ^body(%h: f32[B]) {
                      %1 = add(%h, %x) : f32[B]
                      yield %1
                    }
                  }
                  output a = %0
                }
                """;
        IrParseException e = assertThrows(IrParseException.class, () -> IrParser.parseGraph(text, null, IrTextTest::withCall));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("undefined value %x"), e.getMessage());
    }

    @Test
    void modulesHaveAHeaderAndBlankLinesBetweenGraphs() {
        String text = """
                module "My Model"

                graph init() {
                }

                graph eval(%x: f32[]) {
                  output y = %x
                }
                """;
        dlc.ir.Module m = IrParser.parseModule(text);
        assertEquals("My Model", m.name());
        assertEquals(List.of("init", "eval"), m.graphs().stream().map(Graph::name).toList());
        assertEquals(text, IrPrinter.print(m));
    }

    /** A neg node whose result carries the given name hint. */
    private static Value named(GraphBuilder b, String hint, Value... in) {
        return b.op(Ops.NEG, Attrs.EMPTY, List.of(), List.of(in), Collections.singletonList(hint)).get(0);
    }
}
