package dlc.codegen.jvm;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.testing.RandomGraphs;
import dlc.ir.text.IrParser;
import dlc.ir.text.IrPrinter;
import dlc.passes.PassManager;
import dlc.passes.memory.MemoryPlan;
import dlc.runtime.CompiledGraph;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The JVM backend's memory plan on random graphs (the shared generator), unoptimized and through
 * the standard pipeline, with UPDATE outputs so that donation is exercised: no two values whose
 * live intervals overlap share a slot unless one is written over the other by design (in place at
 * the node where the operand dies, or an update over the input it replaces); the compiled graph
 * allocates exactly the plan's slots; and it still computes what the interpreter computes.
 *
 * <p>As in {@link RandomGraphJvmProperties}, f32 is made f64 so that both sides compute in double
 * and any difference is a codegen bug: values agree to 1e-9 relative to the element and the
 * output's scale, NaN where the reference has NaN. A graph the interpreter cannot run is skipped.
 */
class MemoryPlanJvmProperties {

    @Provide Arbitrary<Graph> graphs() { return RandomGraphs.graphs(16).map(RandomGraphs::withUpdatesOfInputs); }

    @Property(tries = 200, maxDiscardRatio = 10)
    void jvmPlansKeepLiveValuesApartAndAgree(@ForAll("graphs") Graph generated, @ForAll long seed) {
        Graph g = IrParser.parseGraph(IrPrinter.print(generated).replace("f32", "f64"));
        Map<String, Tensor> in = RandomGraphs.randomInputs(g, RandomGraphs.BINDINGS, seed);
        Map<String, Tensor> ref;
        try {
            ref = Interpreter.run(g, in);
        } catch (RuntimeException e) {
            Assume.that(false);
            return;
        }
        boolean inPlace = false, donated = false;
        for (boolean optimize : new boolean[]{false, true}) {
            Graph compiled = optimize ? PassManager.standard().run(g) : g;
            MemoryPlan plan = JvmMemoryPlan.of(compiled);
            check(plan);
            inPlace |= !plan.inPlace().isEmpty();
            donated |= !plan.donated().isEmpty();
            CompiledGraph cg = JvmCompiler.generate(compiled, "dlc.gen.M").instantiate();
            Map<String, Tensor> got = Agreement.run(cg, g, in);
            Agreement.compareF64(ref, got, g, optimize);
            MemoryPlan.Layout layout = plan.layout(RandomGraphs.BINDINGS, JvmMemoryPlan.ALIGNMENT);
            long[] floats = cg.floatBufferBytes(), doubles = cg.doubleBufferBytes();
            for (MemoryPlan.Slot s : plan.slots())
                assertEquals(layout.slotBytes()[s.index()], (s.kind().equals("float") ? floats : doubles)[s.kindIndex()],
                        "slot " + s.index() + " allocated as planned\n" + compiled);
        }
        Statistics.label("in place").collect(inPlace);
        Statistics.label("donation").collect(donated);
        Statistics.label("in place").coverage(c -> c.check(true).percentage(p -> p >= 20.0));
        Statistics.label("donation").coverage(c -> c.check(true).percentage(p -> p >= 10.0));
    }

    /** Slot members never live together, except a value written over its operand (in place) where that operand dies. */
    static void check(MemoryPlan p) {
        Graph g = p.graph();
        for (MemoryPlan.Slot s : p.slots()) {
            if (s.pinned()) assertEquals(1, s.members().size(), "a graph output's slot holds it alone");
            List<Value> m = s.members();
            for (int i = 0; i < m.size(); i++)
                for (int j = i + 1; j < m.size(); j++) {
                    Value a = m.get(i), b = m.get(j);
                    MemoryPlan.Interval ia = p.live().get(a), ib = p.live().get(b);
                    if (!ia.overlaps(ib)) continue;
                    boolean legal = p.inPlace().get(b) == a && ia.end() == ib.start() || p.inPlace().get(a) == b && ib.end() == ia.start();
                    assertTrue(legal, a + " " + ia + " and " + b + " " + ib + " share slot " + s.index() + "\n" + g);
                }
        }
        for (Map.Entry<Value, Value> e : p.inPlace().entrySet()) {
            Value v = e.getKey(), operand = e.getValue();
            assertTrue(v.producer().inputs().contains(operand), "in place only over an operand");
            assertEquals(p.live().get(operand).end(), p.live().get(v).start(), "the operand dies where the result is written");
            assertEquals(operand.type().shape(), v.type().shape());
        }
        for (Map.Entry<Value, Value> e : p.donated().entrySet()) {
            Value update = e.getKey(), input = e.getValue();
            assertTrue(g.inputs().contains(input));
            assertTrue(p.live().get(input).end() <= p.live().get(update).start(), "the input is read by nothing after the update is written");
            assertEquals(new MemoryPlan.InInput(g.inputs().indexOf(input)), p.home(update));
        }
    }
}
