import example.FashionTuner;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fine-tuning the Fashion-MNIST MLP (examples/mlp_fashion.dl) inside the Java program that embeds
 * it, on a few hundred images, with nothing but the model jar on the class path (see README.md):
 * <pre>
 * dlc compile examples/mlp_fashion.dl --trainable --package example --class FashionTuner -o FashionTuner.jar
 * javac -cp FashionTuner.jar -d out examples/embedding/src/FineTuneFashion.java
 * java --add-modules jdk.incubator.vector -cp FashionTuner.jar:out FineTuneFashion /usr/share/datasets/fashion-mnist tuned.safetensors
 * </pre>
 * It fits 500 training images, measures accuracy on 1,000 test images it never trains on before and
 * after, and writes a checkpoint that dlc eval --weights reads. The jar starts from the weights it
 * was compiled with: fresh ones (chance, about 0.1) or a dlc train checkpoint (--weights).
 */
public class FineTuneFashion {
    static final int PIXELS = 28 * 28, TRAIN = 500, HELD_OUT = 1000;

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        Path checkpoint = Path.of(args.length > 1 ? args[1] : "tuned.safetensors");

        // The train block says normalize="minmax": per pixel, (v - min) / (max - min) over all 60,000
        // training images (validation 0), so the same scaling is computed here from the same file.
        float[] all = images(data.resolve("train-images-idx3-ubyte.gz"), 60_000);
        float[] lo = new float[PIXELS], hi = new float[PIXELS];
        java.util.Arrays.fill(lo, 255);
        for (int i = 0; i < all.length; i++) {
            lo[i % PIXELS] = Math.min(lo[i % PIXELS], all[i]);
            hi[i % PIXELS] = Math.max(hi[i % PIXELS], all[i]);
        }
        // the new samples: the last 500 training images, new to the fresh weights the jar is compiled with
        float[] x = normalize(java.util.Arrays.copyOfRange(all, (60_000 - TRAIN) * PIXELS, all.length), lo, hi);
        double[] y = tail(labels(data.resolve("train-labels-idx1-ubyte.gz")), TRAIN);
        float[] xTest = normalize(images(data.resolve("t10k-images-idx3-ubyte.gz"), HELD_OUT), lo, hi);
        double[] yTest = java.util.Arrays.copyOf(labels(data.resolve("t10k-labels-idx1-ubyte.gz")), HELD_OUT);

        FashionTuner model = FashionTuner.load();
        System.out.printf("before: held-out accuracy %.3f%n", accuracy(model, xTest, yTest));
        long t0 = System.nanoTime();
        double[] losses = model.fit(x, y, 5, 32, 7L); // 5 epochs of shuffled batches of 32, shuffling seeded by 7
        System.out.printf("fit %d images, %d epochs in %.1f s: first epoch loss %.4f, last epoch loss %.4f%n",
                TRAIN, losses.length, (System.nanoTime() - t0) / 1e9, losses[0], losses[losses.length - 1]);
        System.out.printf("after: held-out accuracy %.3f%n", accuracy(model, xTest, yTest));
        model.saveWeights(checkpoint);
        System.out.println("saved " + checkpoint);
    }

    /** The first {@code n} images of a gzipped IDX3 file (magic 0x803, count, rows, cols, then bytes) as 0..255 floats. */
    static float[] images(Path file, int n) throws IOException {
        try (DataInputStream in = open(file, 0x803)) {
            int count = in.readInt(), size = in.readInt() * in.readInt();
            if (count < n || size != PIXELS) throw new IOException(file + ": " + count + " images of " + size + " pixels");
            byte[] raw = in.readNBytes(n * PIXELS);
            float[] out = new float[raw.length];
            for (int i = 0; i < raw.length; i++) out[i] = raw[i] & 0xFF;
            return out;
        }
    }

    /** All labels of a gzipped IDX1 file (magic 0x801, count, then one byte each), as the doubles the typed class takes for i32. */
    static double[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file, 0x801)) {
            byte[] raw = in.readNBytes(in.readInt());
            double[] out = new double[raw.length];
            for (int i = 0; i < raw.length; i++) out[i] = raw[i];
            return out;
        }
    }

    static DataInputStream open(Path file, int magic) throws IOException {
        InputStream raw = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
        int m = in.readInt();
        if (m != magic) throw new IOException(file + ": IDX magic " + Integer.toHexString(m) + ", expected " + Integer.toHexString(magic));
        return in;
    }

    static float[] normalize(float[] x, float[] lo, float[] hi) {
        for (int i = 0; i < x.length; i++) {
            int p = i % PIXELS;
            // as dlc.data.Normalizer: shift by min, times the float 1/(max - min) (1 for a constant pixel); same rounding
            float scale = hi[p] > lo[p] ? (float) (1.0 / (hi[p] - lo[p])) : 1f;
            x[i] = (x[i] - lo[p]) * scale;
        }
        return x;
    }

    static double[] tail(double[] a, int n) { return java.util.Arrays.copyOfRange(a, a.length - n, a.length); }

    static double accuracy(FashionTuner model, float[] x, double[] y) {
        int n = y.length, right = 0;
        float[] p = model.probs(x, n);
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) if (p[10 * i + k] > p[10 * i + best]) best = k;
            if (best == y[i]) right++;
        }
        return (double) right / n;
    }
}
