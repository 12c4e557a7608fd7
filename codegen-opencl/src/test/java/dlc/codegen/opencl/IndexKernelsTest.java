package dlc.codegen.opencl;

import dlc.numerics.Indices;
import dlc.runtime.Indexing;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * index.cl against the JVM backend's float kernels (dlc.runtime.Indexing), bit for bit: gather
 * copies, and scatter_add adds each output element's updates in the JVM's order (ascending j,
 * starting from the base), so no tolerance is needed. Indices repeat, are negative, and are
 * stored in each {@link IndexType}; a bad index is reported with the JVM's message.
 */
class IndexKernelsTest {
    /** (outer, n, inner) view of the indexed operand and the number of indices m. */
    private record Case(int outer, int n, int inner, int m) {}

    private static final Case[] CASES = {
            new Case(3, 5, 4, 7), new Case(1, 10, 1, 20), new Case(2, 1, 3, 4), new Case(4, 6, 1, 0),
            new Case(1, 300, 2, 500), new Case(2, 3, 1, 1), new Case(0, 4, 2, 3),
    };

    @Test void gatherAndScatterAddAgreeWithTheJvmBitForBit() {
        ClExecutor ex = OpenClTestSupport.executor();
        IndexKernels idx = new IndexKernels(ex);
        int seed = 0;
        for (IndexType type : IndexType.values())
            for (Case c : CASES)
                for (boolean inPlace : new boolean[]{false, true}) {
                    if (type == IndexType.F64 && !ex.device().fp64()) continue;
                    Random rnd = new Random(++seed);
                    double[] ks = new double[c.m];
                    for (int j = 0; j < c.m; j++) ks[j] = rnd.nextInt(2 * c.n) - c.n; // negative and repeated
                    float[] x = gaussian(rnd, c.outer * c.n * c.inner), u = gaussian(rnd, c.outer * c.m * c.inner);
                    int words = type.bytes / Float.BYTES;
                    ArenaImage img = new ArenaImage();
                    // in place, x is also the output: it is reserved as one and x written into it below
                    int xAt = inPlace ? img.output(x.length) : img.add(x), uAt = img.add(u);
                    int idxAt = img.output(c.m * words, 0f, words); // written below, in the index type's bits
                    int gAt = img.output(c.outer * c.m * c.inner), yAt = inPlace ? xAt : img.output(x.length);
                    int linksAt = img.output((int) IndexKernels.linksInts(c.m), 0f), errAt = img.output(1, 0f);
                    float[] image = img.values();
                    System.arraycopy(x, 0, image, xAt, x.length);
                    store(image, idxAt, ks, type);
                    float[] after = img.run(ex, image, a -> {
                        idx.resetError(a, errAt);
                        idx.gather(a, xAt, c.outer, c.n, c.inner, idxAt / words, type, c.m, gAt, errAt);
                        idx.scatterAdd(a, xAt, c.outer, c.n, c.inner, idxAt / words, type, c.m, uAt, yAt, linksAt, errAt);
                        idx.checkIndices("gather", a, errAt, idxAt / words, type, c.n);
                    });
                    float[] gathered = new float[c.outer * c.m * c.inner], scattered = new float[x.length];
                    Indexing.gather(x, 0, c.outer, c.n, c.inner, ks, 0, c.m, gathered, 0);
                    Indexing.scatterAdd(x, 0, c.outer, c.n, c.inner, ks, 0, c.m, u, 0, scattered, 0);
                    String what = type + " " + c + (inPlace ? " in place" : "");
                    assertArrayEquals(gathered, slice(after, gAt, gathered.length), 0f, "gather " + what);
                    assertArrayEquals(scattered, slice(after, yAt, scattered.length), 0f, "scatter_add " + what);
                }
    }

    @Test void aBadIndexIsReportedWithTheJvmMessage() {
        ClExecutor ex = OpenClTestSupport.executor();
        IndexKernels idx = new IndexKernels(ex);
        for (IndexType type : IndexType.values()) {
            if (type == IndexType.F64 && !ex.device().fp64()) continue;
            double[] ks = {1, -4, 4, 9, -5}; // axis of size 4: 4 (position 2) is the first bad one, then 9 and -5
            int words = type.bytes / Float.BYTES;
            ArenaImage img = new ArenaImage();
            int xAt = img.add(new float[]{1, 2, 3, 4}), idxAt = img.output(ks.length * words, 0f, words);
            int gAt = img.output(ks.length), errAt = img.output(1, 0f);
            float[] image = img.values();
            store(image, idxAt, ks, type);
            String[] message = new String[1];
            float[] after = img.run(ex, image, a -> {
                idx.resetError(a, errAt);
                idx.gather(a, xAt, 1, 4, 1, idxAt / words, type, ks.length, gAt, errAt);
                message[0] = assertThrows(IllegalArgumentException.class,
                        () -> idx.checkIndices("gather", a, errAt, idxAt / words, type, 4)).getMessage();
            });
            String jvm = assertThrows(IllegalArgumentException.class, () -> Indices.resolve("gather", 4, 4)).getMessage();
            assertEquals(jvm, message[0], type.toString());
            assertArrayEquals(new float[]{2, 1, 0, 0, 0}, slice(after, gAt, 5), 0f, "bad indices read as 0, " + type);
        }
    }

    /** Writes the indices into the float image in the bits of {@code type} (little-endian 8-byte types across two floats). */
    private static void store(float[] image, int at, double[] ks, IndexType type) {
        for (int j = 0; j < ks.length; j++) {
            switch (type) {
                case INT32 -> image[at + j] = Float.intBitsToFloat((int) ks[j]);
                case F32 -> image[at + j] = (float) ks[j];
                case INT64, F64 -> {
                    long bits = type == IndexType.INT64 ? (long) ks[j] : Double.doubleToRawLongBits(ks[j]);
                    image[at + 2 * j] = Float.intBitsToFloat((int) bits);
                    image[at + 2 * j + 1] = Float.intBitsToFloat((int) (bits >>> 32));
                }
            }
        }
    }
}
