package dlc.cli;

import dlc.frontend.Compilation;
import dlc.frontend.Diagnostic;
import dlc.ir.*;
import dlc.ir.Module;
import dlc.ir.ops.Ops;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A toolchain that returns a prepared compilation whatever the file says, so the commands can be
 * tested on hand-built graphs. Printing lists a graph's inputs, ops and outputs.
 */
final class FakeToolchain implements Toolchain {
    private final Supplier<Compilation> result;

    FakeToolchain(Supplier<Compilation> result) { this.result = result; }

    /** A compilation of one model lowered to {@code module}, without diagnostics. */
    static FakeToolchain lowering(Module module) {
        return new FakeToolchain(() -> new Compilation(null, List.of(), List.of(module.name()), module, Map.of()));
    }

    /** A compilation with the given diagnostics over one source file. */
    static FakeToolchain diagnosing(String file, String source, List<String> models, Diagnostic... diagnostics) {
        return new FakeToolchain(() -> new Compilation(null, List.of(diagnostics), models, null, Map.of(file, source)));
    }

    @Override public Compilation compile(Path file, String model, Map<String, String> params) { return result.get(); }

    @Override public String print(Graph g) {
        StringBuilder sb = new StringBuilder("graph " + g.name() + "(");
        for (Value v : g.inputs()) sb.append(v.name()).append(": ").append(v.type()).append(' ');
        sb.append(")\n");
        for (Node n : g.nodes()) sb.append("  ").append(n.op().name()).append('\n');
        return sb.toString();
    }

    @Override public String print(Module m) {
        StringBuilder sb = new StringBuilder("module " + m.name() + "\n");
        for (Graph g : m.graphs()) sb.append('\n').append(print(g));
        return sb.toString();
    }

    /** Knows one pass, {@code identity}. */
    @Override public Module runPasses(Module m, String pipeline, String after) {
        if (after != null && !after.equals("identity")) throw new UserError("unknown pass '" + after + "'");
        return m;
    }

    /**
     * Model {@code M}: init computes {@code w = 1.0} from the key; eval takes {@code x: f32[B, 3]},
     * {@code k: i32[B]}, the key and {@code w}, and outputs {@code y = x * w} and {@code k2 = k + k}.
     * When {@code withT}, eval also takes {@code s: f32[B, T]} and outputs {@code s2 = s + s}.
     */
    static Module model(boolean withT) {
        GraphBuilder init = new GraphBuilder("init");
        Value key = init.input("rng", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value one = init.op(Ops.CAST, Attrs.of("dtype", DType.F32), init.op(Ops.EQ, key, key));
        init.output("w", Graph.Output.Role.OUTPUT, one);

        GraphBuilder eval = new GraphBuilder("eval");
        Dim b = Dim.sym("B");
        Value x = eval.input("x", new TensorType(DType.F32, Shape.of(b, Dim.of(3))), Value.Role.INPUT);
        Value k = eval.input("k", new TensorType(DType.I32, Shape.of(b)), Value.Role.INPUT);
        eval.input("rng", TensorType.scalar(DType.I64), Value.Role.INPUT);
        Value w = eval.input("w", TensorType.scalar(DType.F32), Value.Role.PARAM);
        eval.output("y", Graph.Output.Role.OUTPUT, eval.op(Ops.MUL, x, w));
        eval.output("k2", Graph.Output.Role.OUTPUT, eval.op(Ops.ADD, k, k));
        if (withT) {
            Value s = eval.input("s", new TensorType(DType.F32, Shape.of(b, Dim.sym("T"))), Value.Role.INPUT);
            eval.output("s2", Graph.Output.Role.OUTPUT, eval.op(Ops.ADD, s, s));
        }
        return new Module("M", List.of(init.build(), eval.build()));
    }
}
