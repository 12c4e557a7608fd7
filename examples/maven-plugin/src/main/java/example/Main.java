package example;

import java.util.Arrays;

/**
 * Runs the model that dlc-maven-plugin compiled from src/main/dl/mlp.dl in this project's own
 * build: the typed class SpiralMlp is in target/classes, its weights beside it as resources, and
 * dlc-runtime is an ordinary dependency.
 */
public class Main {
    public static void main(String[] args) {
        SpiralMlp model = SpiralMlp.load(); // the compiled graph with the weights from the classpath
        float[] x = {0.5f, -1f, 2f, 0.25f, -0.3f, 0.8f}; // three points, [3, 2] row-major
        int batch = 3;
        float[] probs = model.probs(x, batch); // [3, 3]
        for (int i = 0; i < batch; i++) {
            float[] row = Arrays.copyOfRange(probs, 3 * i, 3 * i + 3);
            System.out.println("point " + i + " probs " + row[0] + " " + row[1] + " " + row[2]);
        }
    }
}
