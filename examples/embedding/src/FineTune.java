import example.SpiralTuner;

import java.nio.file.Path;
import java.util.Random;

/**
 * Fine-tuning a model inside the Java program that embeds it, with nothing but the model jar on the
 * classpath (see README.md):
 * <pre>
 * dlc compile examples/mlp.dl --trainable --package example --class SpiralTuner -o SpiralTuner.jar
 * javac -cp SpiralTuner.jar -d out examples/embedding/src/FineTune.java
 * java --add-modules jdk.incubator.vector -cp SpiralTuner.jar:out FineTune tuned.safetensors
 * </pre>
 * The jar carries the train block's step graph (forward, gradients, Adam) and its state; the
 * program fits a few hundred new samples, reports loss and accuracy before and after, and writes a
 * checkpoint that dlc eval, dlc run --weights and loadWeights read.
 */
public class FineTune {
    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args.length > 0 ? args[0] : "tuned.safetensors");
        int n = 300;
        float[] x = new float[2 * n];
        double[] y = new double[n]; // i32 labels are double[] in the typed methods (every non-f32 dtype is)
        spirals(x, y, new Random(42));

        SpiralTuner model = SpiralTuner.load(); // freshly initialized weights (dlc compile --seed 0)
        System.out.printf("before: accuracy %.3f%n", accuracy(model, x, y));

        // 30 epochs of shuffled mini-batches of 32, shuffling seeded by 7: the mean loss of each epoch
        double[] losses = model.fit(x, y, 30, 32, 7L);
        System.out.printf("fit: first epoch loss %.4f, last epoch loss %.4f%n", losses[0], losses[losses.length - 1]);
        System.out.printf("after: accuracy %.3f%n", accuracy(model, x, y)); // probs() sees the new weights

        // one more step by hand on the first 32 samples: trainStep returns that batch's loss
        float[] xb = java.util.Arrays.copyOf(x, 64);
        double[] yb = java.util.Arrays.copyOf(y, 32);
        System.out.printf("trainStep loss %.4f%n", model.trainStep(xb, yb, 32));

        model.saveWeights(checkpoint); // a dlc train checkpoint: dlc eval --weights reads it
        SpiralTuner again = SpiralTuner.load();
        again.loadWeights(checkpoint);
        System.out.println("reloaded agrees: " + java.util.Arrays.equals(again.probs(x, n), model.probs(x, n)));
    }

    /** Three noisy spiral arms, label = arm (the shape of dlc's built-in spirals data). */
    static void spirals(float[] x, double[] y, Random r) {
        int n = y.length;
        for (int i = 0; i < n; i++) {
            int arm = i % 3;
            double t = r.nextDouble();
            double angle = 4 * t + arm * 2 * Math.PI / 3 + r.nextGaussian() * 0.2;
            x[2 * i] = (float) (t * Math.cos(angle));
            x[2 * i + 1] = (float) (t * Math.sin(angle));
            y[i] = arm;
        }
    }

    static double accuracy(SpiralTuner model, float[] x, double[] y) {
        int n = y.length, right = 0;
        float[] p = model.probs(x, n);
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < 3; k++) if (p[3 * i + k] > p[3 * i + best]) best = k;
            if (best == y[i]) right++;
        }
        return (double) right / n;
    }
}
