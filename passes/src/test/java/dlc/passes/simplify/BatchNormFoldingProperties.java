package dlc.passes.simplify;

import dlc.ir.*;
import dlc.ir.eval.Interpreter;
import dlc.ir.eval.Tensor;
import dlc.ir.ops.Ops;
import dlc.ir.text.IrParser;
import net.jqwik.api.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Batch-norm folding keeps values: the input graphs of the fold-batch-norm golden tests (conv,
 * dense with bias, conv without affine), run before and after folding on random data and random
 * parameters (running variances in [0.1, 3), the rest in [-2, 2)), agree to a relative 1e-12
 * (folding reassociates a handful of float64 operations per element), and the folded graph has
 * one layer op, no rsqrt on activations and no sub.
 */
class BatchNormFoldingProperties {
    private static Graph golden(String file) throws IOException {
        try (InputStream in = BatchNormFoldingProperties.class.getResourceAsStream("/fold-batch-norm/" + file)) {
            String text = new String(Objects.requireNonNull(in, file).readAllBytes(), StandardCharsets.UTF_8);
            return IrParser.parseModule(text.substring(0, text.indexOf("# CHECK:")), file).graphs().get(0);
        }
    }

    @Property(tries = 30)
    void foldedLayersComputeTheSameValues(@ForAll("files") String file, @ForAll long seed) throws IOException {
        Graph g = golden(file);
        Graph folded = new BatchNormFolding().run(g);
        assertNotSame(g, folded, file + " did not fold");
        Verifier.verify(folded);
        long layers = folded.nodes().stream().filter(n -> n.op() == Ops.CONV2D || n.op() == Ops.MATMUL).count();
        assertEquals(1, layers, folded.toString());
        assertTrue(folded.nodes().stream().noneMatch(n -> n.op() == Ops.SUB && n.output().type().rank() > 1), folded.toString());
        Random r = new Random(seed);
        Map<String, Tensor> in = new HashMap<>();
        for (Value v : g.inputs()) {
            int[] shape = v.type().shape().eval(Map.of("B", 2L));
            double[] d = new double[(int) Tensor.numel(shape)];
            boolean variance = v.name().equals("rv");
            for (int i = 0; i < d.length; i++) d[i] = variance ? 0.1 + 2.9 * r.nextDouble() : 4 * r.nextDouble() - 2;
            in.put(v.name(), new Tensor(v.type().dtype(), shape, d));
        }
        Tensor want = Interpreter.run(g, in).get("y"), got = Interpreter.run(folded, in).get("y");
        assertArrayEquals(want.shape(), got.shape());
        for (int i = 0; i < want.size(); i++) {
            double e = want.data()[i], a = got.data()[i];
            assertTrue(Math.abs(e - a) <= 1e-12 * Math.max(1, Math.abs(e)), file + " element " + i + ": " + e + " vs " + a);
        }
    }

    @Provide Arbitrary<String> files() { return Arbitraries.of("conv.ir", "dense-with-bias.ir", "not-affine.ir"); }
}
