package dlc.ir.text;

import dlc.ir.*;
import dlc.ir.ops.Ops;
import dlc.ir.testing.RandomGraphs;
import net.jqwik.api.*;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

class IrRoundTripProperties {
    @Provide
    Arbitrary<Graph> graphs() { return RandomGraphs.graphs(); }

    @Property
    void randomGraphsVerify(@ForAll("graphs") Graph g) {
        assertEquals(List.of(), Verifier.check(g));
    }

    @Property
    void printParseGivesAnEquivalentGraphAndTheSameText(@ForAll("graphs") Graph g) {
        String text = IrPrinter.print(g);
        Graph back = IrParser.parseGraph(text);
        assertEquals(Optional.empty(), GraphEquivalence.difference(g, back), text);
        assertEquals(text, IrPrinter.print(back));
        assertEquals(List.of(), Verifier.check(back), text);
        for (int i = 0; i < g.nodes().size(); i++)
            assertEquals(g.nodes().get(i).loc(), back.nodes().get(i).loc(), "source location of node " + i);
    }

    @Property
    void modulesRoundTrip(@ForAll("graphs") Graph a, @ForAll("graphs") Graph b, @ForAll("names") String moduleName) {
        dlc.ir.Module m = new dlc.ir.Module(moduleName, List.of(a, rename(b, "train")));
        String text = IrPrinter.print(m);
        dlc.ir.Module back = IrParser.parseModule(text);
        assertEquals(Optional.empty(), GraphEquivalence.difference(m, back), text);
        assertEquals(text, IrPrinter.print(back));
    }

    /** Any attribute value Attrs allows survives printing, on any op (the parser does not run shape rules). */
    @Property
    void attributesRoundTrip(@ForAll("attrs") Attrs attrs) {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", TensorType.of(DType.F32, 2), Value.Role.INPUT);
        Node n = b.add(new Node(Ops.NEG, List.of(x), attrs, List.of(), List.of(x.type()), null, SourceLoc.UNKNOWN));
        Graph g = b.output("y", Graph.Output.Role.OUTPUT, n.output()).build();
        String text = IrPrinter.print(g);
        Graph back = IrParser.parseGraph(text);
        assertEquals(attrs, back.nodes().get(0).attrs(), text);
        assertEquals(text, IrPrinter.print(back));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(Arbitraries.of("Mlp", "my model", "a.b", "q\"uote", "back\\slash", "new\nline", ""),
                Arbitraries.strings().ofMaxLength(8));
    }

    @Provide
    Arbitrary<Attrs> attrs() {
        Arbitrary<Object> value = Arbitraries.oneOf(
                Arbitraries.longs().map(x -> (Object) x),
                Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.NEGATIVE_INFINITY)
                        .withSpecialValue(Double.POSITIVE_INFINITY).withSpecialValue(-0.0).withSpecialValue(1e-300).map(x -> (Object) x),
                Arbitraries.of(true, false).map(x -> (Object) x),
                Arbitraries.strings().ofMaxLength(6).map(x -> (Object) x),
                Arbitraries.of(DType.class).map(x -> (Object) x),
                Arbitraries.of(Shape.SCALAR, Shape.of(Dim.sym("B"), Dim.of(784)), Shape.of(Dim.parse("(H + 1)/2"), Dim.parse("B*T - 1")))
                        .map(x -> (Object) x),
                Arbitraries.longs().between(-5, 5).list().ofMaxSize(3).map(x -> (Object) x),
                Arbitraries.doubles().list().ofMinSize(1).ofMaxSize(3).map(x -> (Object) x));
        Arbitrary<String> keys = Arbitraries.of("axis", "axes", "dtype", "keepdims", "p", "shape", "x.y", "_k");
        return Arbitraries.maps(keys, value).ofMaxSize(4).map(m -> {
            Attrs a = Attrs.EMPTY;
            for (var e : m.entrySet()) a = a.with(e.getKey(), e.getValue());
            return a;
        });
    }

    private static Graph rename(Graph g, String name) { return new Graph(name, g.inputs(), g.nodes(), g.outputs()); }
}
