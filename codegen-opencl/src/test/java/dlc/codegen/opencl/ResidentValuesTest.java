package dlc.codegen.opencl;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import dlc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Values kept on the device across graph runs ({@link ResidentValues}): after the first step a
 * step graph moves only its batch input in and its loss out; the updates are written in place
 * where the memory plan donates (c, updated by an elementwise sub) and copied on the device where
 * it does not (w, updated by a matmul that reads it); another graph or another binding reads the
 * values by a device copy, once per version. The results are bit for bit those of the plain run,
 * which uploads every input and reads every output back: the same kernels on the same numbers, so
 * any difference is a stale or misplaced value.
 */
class ResidentValuesTest {
    private static final String STEP = """
            graph step(%x: f32[B, 4], param %w: f32[4, 4], param %c: f32[4]) {
              %0 = matmul(%x, %w) : f32[B, 4]
              %1 = sum(%0) {axes=[0]} : f32[4]
              %2 = sub(%c, %1) : f32[4]
              %3 = matmul(%w, %w) : f32[4, 4]
              %4 = sum(%2) {axes=[0]} : f32[]
              update c = %2
              update w = %3
              loss l = %4
            }
            """;
    private static final String EVAL = """
            graph eval(%x: f32[B, 4], param %w: f32[4, 4], param %c: f32[4]) {
              %0 = matmul(%x, %w) : f32[B, 4]
              %1 = mul(%c, %c) : f32[4]
              output y = %0
              output z = %1
            }
            """;

    private static ClCompiledGraph compile(String text) {
        return ClCompiledGraph.compile(OpenClTestSupport.executor(), IrParser.parseModule(text, "t").graphs().get(0));
    }

    private static Tensor random(Random r, int... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() - 0.5);
        return new Tensor(DType.F32, shape, d);
    }

    private static Map<String, Tensor> initial() {
        Random r = new Random(11);
        return Map.of("w", random(r, 4, 4), "c", random(r, 4));
    }

    private static Tensor batch(int k, int rows) { return random(new Random(100 + k), rows, 4); }

    private static Transfers since(Transfers before) { return OpenClTestSupport.executor().transfers().minus(before); }

    @Test void theTestGraphExercisesBothDonationAndCopy() {
        ClCompiledGraph step = compile(STEP);
        Set<String> donated = new HashSet<>();
        for (Value p : step.plan().donated().values()) donated.add(p.name());
        assertEquals(Set.of("c"), donated, "c's update is an elementwise sub (donated), w's a matmul reading w (not)");
    }

    @Test void aStepAfterTheFirstUploadsOnlyTheBatchAndReadsOnlyTheLoss() {
        ClCompiledGraph step = compile(STEP), plain = compile(STEP);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.putAll(initial());
        Map<String, Tensor> reference = new HashMap<>(initial());
        for (int k = 0; k < 5; k++) {
            Tensor x = batch(k, 5);
            Transfers before = OpenClTestSupport.executor().transfers();
            Map<String, Tensor> out = step.run(Map.of("x", x), rv, Set.of("l"), true);
            Transfers moved = since(before);
            assertEquals(Set.of("l"), out.keySet());
            long xBytes = 5 * 4 * 4;
            if (k == 0) assertEquals(new Transfers(3, xBytes + 64 + 16, 1, 4, 1, 64), moved, "first step: x, w and c go up; w's update is copied home");
            else assertEquals(new Transfers(1, xBytes, 1, 4, 1, 64), moved, "step " + k + ": only x up and the loss down; w's update copied on the device");

            Map<String, Tensor> in = new HashMap<>(reference);
            in.put("x", x);
            Map<String, Tensor> ref = plain.run(in);
            assertEquals(ref.get("l"), out.get("l"), "loss of step " + k);
            reference.put("w", ref.get("w"));
            reference.put("c", ref.get("c"));
        }
        Transfers before = OpenClTestSupport.executor().transfers();
        assertEquals(reference.get("w"), rv.get("w"));
        assertEquals(reference.get("c"), rv.get("c"));
        assertEquals(new Transfers(0, 0, 2, 64 + 16, 0, 0), since(before), "reading the values back is the only download");
        before = OpenClTestSupport.executor().transfers();
        assertEquals(reference, rv.getAll());
        assertEquals(Transfers.NONE, since(before), "the host copy is kept until the next write");
    }

    @Test void anotherGraphAndAnotherBindingCopyOnTheDeviceOncePerVersion() {
        ClCompiledGraph step = compile(STEP), eval = compile(EVAL), plainStep = compile(STEP), plainEval = compile(EVAL);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.putAll(initial());
        Map<String, Tensor> reference = new HashMap<>(initial());
        int[] rows = {5, 5, 3, 5};
        for (int k = 0; k < rows.length; k++) {
            Tensor x = batch(k, rows[k]);
            Transfers before = OpenClTestSupport.executor().transfers();
            Map<String, Tensor> out = step.run(Map.of("x", x), rv, Set.of("l"), true);
            Transfers moved = since(before);
            if (k == 2) assertEquals(new Transfers(1, rows[k] * 16L, 1, 4, 3, 64 + 16 + 64), moved, "a new binding: w and c copied from the other one");
            if (k == 3) assertEquals(new Transfers(1, rows[k] * 16L, 1, 4, 3, 64 + 16 + 64), moved, "back to the first binding: copied back");
            Map<String, Tensor> in = new HashMap<>(reference);
            in.put("x", x);
            Map<String, Tensor> ref = plainStep.run(in);
            assertEquals(ref.get("l"), out.get("l"), "loss of step " + k);
            reference.put("w", ref.get("w"));
            reference.put("c", ref.get("c"));

            for (int e = 0; e < 2; e++) {
                Tensor xe = batch(50 + e, 7);
                before = OpenClTestSupport.executor().transfers();
                Map<String, Tensor> got = eval.run(Map.of("x", xe), rv, null, false);
                moved = since(before);
                long outBytes = 7 * 16 + 16;
                if (e == 0) assertEquals(new Transfers(1, 7 * 16, 2, outBytes, 2, 64 + 16), moved, "eval after step " + k + ": w and c copied once");
                else assertEquals(new Transfers(1, 7 * 16, 2, outBytes, 0, 0), moved, "eval again: the eval binding holds the current version");
                Map<String, Tensor> ein = new HashMap<>(reference);
                ein.put("x", xe);
                assertEquals(plainEval.run(ein), got, "eval after step " + k);
            }
        }
        assertEquals(reference.get("w"), rv.get("w"));
        assertEquals(reference.get("c"), rv.get("c"));
    }

    @Test void aValuePutFromTheHostIsUploadedByTheNextRun() {
        ClCompiledGraph step = compile(STEP), plain = compile(STEP);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.putAll(initial());
        step.run(Map.of("x", batch(0, 5)), rv, Set.of("l"), true);
        Tensor w = rv.get("w"), c = random(new Random(3), 4);
        rv.put("c", c);
        assertSame(c, rv.get("c"), "the host has the value put");
        Transfers before = OpenClTestSupport.executor().transfers();
        step.run(Map.of("x", batch(1, 5)), rv, Set.of("l"), true);
        assertEquals(new Transfers(2, 5 * 16 + 16, 1, 4, 1, 64), since(before), "x and the new c go up");
        Map<String, Tensor> in = new HashMap<>(Map.of("x", batch(1, 5), "c", c, "w", w));
        Map<String, Tensor> ref = plain.run(in);
        assertEquals(ref.get("c"), rv.get("c"), "the step started from the c put");
        assertEquals(ref.get("w"), rv.get("w"));
    }

    @Test void aPlainRunOnTheSameBindingKeepsTheResidentValues() {
        ClCompiledGraph step = compile(STEP), plain = compile(STEP);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.putAll(initial());
        step.run(Map.of("x", batch(0, 5)), rv, Set.of("l"), true);
        Map<String, Tensor> expected = new HashMap<>();
        Map<String, Tensor> in = new HashMap<>(initial());
        in.put("x", batch(0, 5));
        Map<String, Tensor> ref = plain.run(in);
        // the same compiled graph and binding run plainly on other values: its input ranges are overwritten
        Map<String, Tensor> other = new HashMap<>(initial());
        other.put("x", batch(9, 5));
        other.put("c", random(new Random(5), 4));
        step.run(other);
        expected.put("w", ref.get("w"));
        expected.put("c", ref.get("c"));
        assertEquals(expected, rv.getAll(), "the resident values were read back before their ranges were overwritten");
        Map<String, Tensor> next = step.run(Map.of("x", batch(1, 5)), rv, Set.of("l"), true);
        Map<String, Tensor> in2 = new HashMap<>(expected);
        in2.put("x", batch(1, 5));
        assertEquals(plain.run(in2).get("l"), next.get("l"), "and the next step starts from them");
    }

    @Test void closedValuesAreNotReadBackAndCannotBeUsed() {
        ClCompiledGraph step = compile(STEP);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.putAll(initial());
        step.run(Map.of("x", batch(0, 5)), rv, Set.of("l"), true);
        rv.close();
        Map<String, Tensor> in = new HashMap<>(initial());
        in.put("x", batch(1, 5));
        Transfers before = OpenClTestSupport.executor().transfers();
        step.run(in, Set.of("l"));
        assertEquals(new Transfers(3, 80 + 64 + 16, 1, 4, 0, 0), since(before), "nothing read back for closed values");
        assertThrows(IllegalStateException.class, () -> rv.get("w"));
    }

    @Test void aResidentValueOfAnotherTypeIsRefused() {
        ClCompiledGraph step = compile(STEP);
        ResidentValues rv = new ResidentValues(OpenClTestSupport.executor());
        rv.put("w", new Tensor(DType.F64, new int[]{4, 4}, new double[16]));
        rv.put("c", initial().get("c"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.run(Map.of("x", batch(0, 5)), rv, null, true));
        assertTrue(e.getMessage().contains("resident value w is f64"), e.getMessage());
        ResidentValues missing = new ResidentValues(OpenClTestSupport.executor());
        missing.put("w", initial().get("w"));
        e = assertThrows(IllegalArgumentException.class, () -> step.run(Map.of("x", batch(0, 5)), missing, null, true));
        assertTrue(e.getMessage().contains("missing input c"), e.getMessage());
    }
}
