package dlc.codegen.jvm;

import dlc.ir.Graph;
import dlc.ir.Node;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.ops.ScanRows;
import dlc.ir.text.IrParser;
import dlc.runtime.Parallel;
import dlc.runtime.Scan;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AfterProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random recurrent bodies against {@link ScanRows} and the scan's parts: a body is a chain of
 * row-wise steps (a matmul with a captured weight, attention over a captured [B, 3, 8] memory
 * whose rows each part reads its own of, a batched matmul of the row's own values,
 * gates sliced and concatenated along the features, a feature reduction broadcast back, a
 * reshape and permute that keep the rows first, elementwise ops with the x slice and the other
 * carry), into which one step that mixes rows (a sum over the batch, a product contracting over
 * it, rows rotated or reversed, the memory's first row added to every row) may be put. ScanRows must accept exactly the bodies without such
 * a step; every body runs at 2 threads bit for bit as at 1, in parts exactly when ScanRows
 * accepted it, and its float64 form on the JVM as on the interpreter.
 */
class ScanPartsProperties {
    @AfterProperty void restore() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    /** Row-wise steps: each reads %v{i} (f32[B, 8]) and defines %v{i+1}; {i} is the step's number, {x}/{c} the x slice and other carry. */
    private static final String[] ROW_WISE = {
            "%v{n} = matmul(%v{i}, %wc) : f32[B, 8]",
            "%a{i} = add(%v{i}, %x) : f32[B, 8]\n%v{n} = tanh(%a{i}) : f32[B, 8]",
            "%a{i} = mul(%v{i}, %c1) : f32[B, 8]\n%v{n} = sigmoid(%a{i}) : f32[B, 8]",
            """
            %a{i} = slice(%v{i}) {starts=<0, 0>, steps=[1, 1], stops=<B, 3>} : f32[B, 3]
            %b{i} = slice(%v{i}) {starts=<0, 3>, steps=[1, 1], stops=<B, 8>} : f32[B, 5]
            %d{i} = tanh(%a{i}) : f32[B, 3]
            %v{n} = concat(%b{i}, %d{i}) {axis=1} : f32[B, 8]""",
            """
            %a{i} = sum(%v{i}) {axes=[1], keepdims=true} : f32[B, 1]
            %b{i} = broadcast_to(%a{i}) {shape=<B, 8>} : f32[B, 8]
            %d{i} = mul(%v{i}, %b{i}) : f32[B, 8]
            %v{n} = tanh(%d{i}) : f32[B, 8]""",
            """
            %a{i} = reshape(%v{i}) {shape=<B, 2, 4>} : f32[B, 2, 4]
            %b{i} = permute(%a{i}) {perm=[0, 2, 1]} : f32[B, 4, 2]
            %v{n} = reshape(%b{i}) {shape=<B, 8>} : f32[B, 8]""",
            """
            %a{i} = reshape(%v{i}) {shape=<B, 2, 4>} : f32[B, 2, 4]
            %b{i} = permute(%a{i}) {perm=[0, 2, 1]} : f32[B, 4, 2]
            %d{i} = matmul(%a{i}, %b{i}) : f32[B, 2, 2]
            %e{i} = reshape(%d{i}) {shape=<B, 4>} : f32[B, 4]
            %f{i} = concat(%e{i}, %e{i}) {axis=1} : f32[B, 8]
            %v{n} = tanh(%f{i}) : f32[B, 8]""",
            """
            %a{i} = max(%v{i}) {axes=[1], keepdims=true} : f32[B, 1]
            %v{n} = sub(%v{i}, %a{i}) : f32[B, 8]""",
            """
            %a{i} = reshape(%v{i}) {shape=<B, 1, 8>} : f32[B, 1, 8]
            %b{i} = permute(%mc) {perm=[0, 2, 1]} : f32[B, 8, 3]
            %d{i} = matmul(%a{i}, %b{i}) : f32[B, 1, 3]
            %e{i} = tanh(%d{i}) : f32[B, 1, 3]
            %f{i} = matmul(%e{i}, %mc) : f32[B, 1, 8]
            %v{n} = reshape(%f{i}) {shape=<B, 8>} : f32[B, 8]""",
    };

    /** Steps that mix rows: a body holding one must never run in parts. */
    private static final String[] MIXING = {
            """
            %a{i} = sum(%v{i}) {axes=[0], keepdims=true} : f32[1, 8]
            %v{n} = add(%v{i}, %a{i}) : f32[B, 8]""",
            """
            %a{i} = permute(%v{i}) {perm=[1, 0]} : f32[8, B]
            %b{i} = matmul(%a{i}, %x) : f32[8, 8]
            %d{i} = matmul(%v{i}, %b{i}) : f32[B, 8]
            %v{n} = tanh(%d{i}) : f32[B, 8]""",
            """
            %a{i} = slice(%v{i}) {starts=<1, 0>, steps=[1, 1], stops=<B, 8>} : f32[B - 1, 8]
            %b{i} = slice(%v{i}) {starts=<0, 0>, steps=[1, 1], stops=<1, 8>} : f32[1, 8]
            %v{n} = concat(%a{i}, %b{i}) {axis=0} : f32[B, 8]""",
            "%v{n} = reverse(%v{i}) {axes=[0]} : f32[B, 8]",
            """
            %a{i} = slice(%mc) {starts=<0, 0, 0>, steps=[1, 1, 1], stops=<1, 3, 8>} : f32[1, 3, 8]
            %b{i} = sum(%a{i}) {axes=[1], keepdims=false} : f32[1, 8]
            %v{n} = add(%v{i}, %b{i}) : f32[B, 8]""",
    };

    @Provide Arbitrary<List<Integer>> steps() { return Arbitraries.integers().between(0, ROW_WISE.length - 1).list().ofMinSize(1).ofMaxSize(6); }

    @Property(tries = 40)
    void bodiesRunInPartsExactlyWhenTheyKeepTheirRowsApart(@ForAll("steps") List<Integer> steps,
                                                           @ForAll @net.jqwik.api.constraints.IntRange(min = -1, max = 4) int mixing,
                                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 5) int mixAt,
                                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 16, max = 33) int rows,
                                                           @ForAll boolean reverse, @ForAll boolean optimize) {
        List<String> chain = new ArrayList<>();
        for (int s : steps) chain.add(ROW_WISE[s]);
        if (mixing >= 0) chain.add(Math.min(mixAt, chain.size()), MIXING[mixing]);
        Graph g = IrParser.parseGraph(graph(chain, reverse));
        Node scan = g.nodes().stream().filter(n -> n.op() == Ops.SCAN).findFirst().orElseThrow();
        assertEquals(mixing < 0, ScanRows.batchSymbol(scan).isPresent(), "ScanRows on\n" + g);

        Map<String, Long> dims = Map.of("B", (long) rows, "T", 3L);
        // float32, as training runs: two threads give one thread's bits, in parts exactly when ScanRows allows
        CompiledClasses cc = optimize ? JvmCompiler.compile(g, "dlc.gen.P") : JvmCompiler.generate(g, "dlc.gen.P");
        Map<String, Tensor> in = Agreement.randomInputs(g, dims, new java.util.Random(rows));
        Parallel.setThreads(1);
        Map<String, Tensor> one = Agreement.run(cc.instantiate(), g, in);
        Parallel.setThreads(2); // forgets any backoff: the first run of the graph splits when it may
        long before = Scan.partRuns();
        Agreement.compare(one, Agreement.run(cc.instantiate(), g, in), 0);
        if (mixing < 0) assertTrue(Scan.partRuns() > before, "ran in parts");
        else assertEquals(before, Scan.partRuns(), "a body that mixes rows ran in parts");
        // the code against the interpreter in float64 (f32 made f64), so rounding that a chain of
        // products amplifies is not mistaken for a bug: at two threads, parts and all
        Graph f64 = IrParser.parseGraph(graph(chain, reverse).replace("f32", "f64"));
        CompiledClasses cd = optimize ? JvmCompiler.compile(f64, "dlc.gen.Q") : JvmCompiler.generate(f64, "dlc.gen.Q");
        Agreement.verify(cd);
        Map<String, Tensor> in64 = Agreement.randomInputs(f64, dims, new java.util.Random(rows));
        Agreement.compareF64(dlc.ir.eval.Interpreter.run(f64, in64), Agreement.run(cd.instantiate(), f64, in64), f64, optimize);
    }

    /** A two-carry scan over [B, T, 8] capturing a weight and a [B, 3, 8] memory, whose body runs {@code chain} from the first carry, %v0. */
    private static String graph(List<String> chain, boolean reverse) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < chain.size(); i++)
            for (String line : chain.get(i).replace("{i}", Integer.toString(i)).replace("{n}", Integer.toString(i + 1)).split("\n"))
                body.append("      ").append(line.strip()).append('\n');
        int last = chain.size();
        return """
                graph g(%h0: f32[B, 8], %k0: f32[B, 8], %xs: f32[B, T, 8], param %w: f32[8, 8], %m: f32[B, 3, 8]) {
                  %h, %k, %ys = scan(%h0, %k0, %xs, %w, %m) {axis=1, num_carries=2, num_xs=1, reverse=REV} : f32[B, 8], f32[B, 8], f32[B, T, 8] {
                    ^step(%v0: f32[B, 8], %c1: f32[B, 8], %x: f32[B, 8], %wc: f32[8, 8], %mc: f32[B, 3, 8]) {
                BODY      %out = tanh(%vLAST) : f32[B, 8]
                      %k1 = add(%c1, %out) : f32[B, 8]
                      yield %out, %k1, %vLAST
                    }
                  }
                  output h = %h
                  output k = %k
                  output ys = %ys
                }
                """.replace("REV", Boolean.toString(reverse)).replace("BODY", body).replace("LAST", Integer.toString(last));
    }
}
