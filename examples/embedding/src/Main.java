import dlc.runtime.Tensor;
import example.SpiralMlp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A Java program that uses a model compiled by dlc, with nothing but the model jar on its
 * classpath (see README.md):
 * <pre>
 * dlc compile examples/mlp.dl --package example --class SpiralMlp -o SpiralMlp.jar
 * javac -cp SpiralMlp.jar -d out examples/embedding/src/Main.java
 * java --add-modules jdk.incubator.vector -cp SpiralMlp.jar:out Main
 * </pre>
 */
public class Main {
    public static void main(String[] args) throws Exception {
        SpiralMlp model = SpiralMlp.load(); // the compiled graph and the weights inside the jar

        // The typed method: x is [batch, 2] row-major, the result [batch, 3] (a fresh array).
        float[] x = {0.5f, -1f, 2f, 0.25f, -0.3f, 0.8f};
        int batch = 3;
        float[] probs = model.probs(x, batch);
        for (int i = 0; i < batch; i++) {
            float[] row = Arrays.copyOfRange(probs, 3 * i, 3 * i + 3);
            int best = 0;
            for (int k = 1; k < 3; k++) if (row[k] > row[best]) best = k;
            System.out.println("point " + i + ": class " + best + " probs " + row[0] + " " + row[1] + " " + row[2]);
        }

        // The generic method: named tensors in, named tensors out; the batch comes from the shape.
        Map<String, Tensor> out = model.run(Map.of("x", Tensor.of(x, batch, 2)));
        System.out.println("run(Map) gives " + out.keySet() + " of shape " + Arrays.toString(out.get("probs").shape())
                + ", equal to probs(): " + Arrays.equals(out.get("probs").floats(), probs));

        // An instance is not thread-safe: every thread gets its own copy (shared weights, own buffers).
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<float[]>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            SpiralMlp mine = model.copy();
            results.add(pool.submit(() -> {
                float[] last = null;
                for (int r = 0; r < 100; r++) last = mine.probs(x, batch);
                return last;
            }));
        }
        boolean agree = true;
        for (Future<float[]> f : results) agree &= Arrays.equals(f.get(), probs);
        pool.shutdown();
        System.out.println("4 threads with a copy each agree: " + agree);

        // A wrong length is an IllegalArgumentException naming the input and its shape.
        try {
            model.probs(new float[5], batch);
        } catch (IllegalArgumentException e) {
            System.out.println("wrong length: " + e.getMessage());
        }
    }
}
