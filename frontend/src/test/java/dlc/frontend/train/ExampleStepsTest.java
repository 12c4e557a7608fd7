package dlc.frontend.train;

import dlc.frontend.Compilation;
import dlc.frontend.Frontend;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** The examples' step graphs run on the interpreter and move the right things. */
class ExampleStepsTest {
    static TrainRun run(String example, Map<String, String> train) {
        Compilation c = Frontend.compile(Path.of("../examples/" + example), null, Map.of(), train);
        assertTrue(c.ok(), c::render);
        return TrainRun.of(c);
    }

    @Test void mlpLossFallsOnSeparableData() {
        TrainRun run = run("mlp.dl", Map.of("lr", "0.02"));
        Random rnd = new Random(5);
        int n = 32;
        double[] x = new double[2 * n], y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[2 * i] = (y[i] == 0 ? -1 : 1) + 0.3 * rnd.nextGaussian();
            x[2 * i + 1] = 0.3 * rnd.nextGaussian();
        }
        Map<String, Tensor> batch = Map.of("x", new Tensor(DType.F32, new int[]{n, 2}, x), "y", new Tensor(DType.I32, new int[]{n}, y));
        double first = run.iteration(batch).get("loss").item(), last = first;
        for (int it = 0; it < 40; it++) last = run.iteration(batch).get("loss").item();
        assertTrue(last < first / 4, "cross entropy falls: " + first + " -> " + last);
        assertEquals(new TrainPlan.Metric("accuracy", "probs", "y"), run.plan.metric());
    }

    @Test void ganStepsEachMoveTheirOwnNetwork() {
        TrainRun run = run("gan.dl", Map.of());
        Random rnd = new Random(2);
        double[] x = new double[16];
        for (int i = 0; i < x.length; i++) x[i] = 3 + rnd.nextGaussian();
        Map<String, Tensor> batch = Map.of("x", new Tensor(DType.F32, new int[]{8, 2}, x));
        Map<String, double[]> before = snapshot(run);
        run.step("step.disc", batch);
        Map<String, double[]> afterD = snapshot(run);
        run.step("step.gen", batch);
        Map<String, double[]> afterG = snapshot(run);
        for (String p : before.keySet()) {
            boolean isD = p.startsWith("discriminator"), isG = p.startsWith("generator");
            if (!isD && !isG) continue;
            assertEquals(isD, !Arrays.equals(before.get(p), afterD.get(p)), p + " after the disc step");
            assertEquals(isG, !Arrays.equals(afterD.get(p), afterG.get(p)), p + " after the gen step");
            for (double v : afterG.get(p)) assertTrue(Double.isFinite(v), p);
        }
        assertEquals(1, run.values.get("step").item());
    }

    static Map<String, double[]> snapshot(TrainRun run) {
        Map<String, double[]> out = new TreeMap<>();
        run.values.forEach((k, v) -> out.put(k, v.data().clone()));
        return out;
    }
}
