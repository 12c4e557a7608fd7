package dlc.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The typed-model base class and the model jar's command line, on a hand-written compiled graph. */
class ModelTest {
    /** What dlc compile generates, written by hand: typed methods over {@link Model#output}. */
    static final class Scale extends Model {
        Scale() { super(new ScaleGraph(), Map.of("w", Tensor.of(new float[]{2, 3}, 2), "k", Tensor.of("i64", new double[]{1}))); }

        private Scale(Scale other) { super(other); }

        Scale copy() { return new Scale(this); }

        float[] y(float[] x, int batch) { return (float[]) output(0, new Object[]{x}, new long[]{batch}); }
    }

    @Test
    void typedOutputIsAFreshArray() {
        Scale m = new Scale();
        assertEquals(List.of("x"), m.inputNames());
        assertEquals(List.of("y", "total"), m.outputNames());
        float[] a = m.y(new float[]{1, 1, 2, 2}, 2);
        assertArrayEquals(new float[]{3, 4, 5, 7}, a);
        float[] b = m.y(new float[]{0, 0, 0, 0}, 2);
        assertArrayEquals(new float[]{3, 4, 5, 7}, a, "the first result is not overwritten by the second call");
        assertArrayEquals(new float[]{1, 1, 1, 1}, b);
    }

    @Test
    void wrongLengthOrShapeNamesTheInputAndItsShape() {
        Scale m = new Scale();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.y(new float[3], 2));
        assertTrue(e.getMessage().contains("input x") && e.getMessage().contains("f32[B, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("x", Tensor.of(new float[6], 2, 3))));
        assertTrue(e.getMessage().contains("input x") && e.getMessage().contains("[B, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("w", Tensor.of(new float[2], 2))));
        assertTrue(e.getMessage().contains("weight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.run(Map.of()));
        assertTrue(e.getMessage().contains("missing input x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.y(new float[2], -1));
        assertTrue(e.getMessage().contains("B = -1"), e.getMessage());
    }

    /**
     * Issue 10: after a bad call (a wrong length with a huge batch) the instance served later good
     * calls wrongly (ArrayIndexOutOfBounds), and the buffers were sized before the length was
     * checked. Now the call is checked first and leaves the instance as it was.
     */
    @Test
    void aBadCallLeavesTheInstanceUsable() {
        Scale m = new Scale();
        float[] x = {1, 1, 2, 2};
        float[] want = m.y(x, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.y(new float[4], Integer.MAX_VALUE / 2));
        assertTrue(e.getMessage().contains("input x: expected f32[B, 2]") && e.getMessage().contains("B=1073741823"), e.getMessage());
        assertArrayEquals(want, m.y(x, 2));
        e = assertThrows(IllegalArgumentException.class, () -> m.y(new float[4], Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("input x: f32[B, 2] under B=2147483647 does not fit a Java array"), e.getMessage());
        assertArrayEquals(want, m.y(x, 2));
        assertArrayEquals(new float[]{3, 4, 5, 7, 3, 4}, m.y(new float[]{1, 1, 2, 2, 1, 1}, 3));
        assertArrayEquals(want, m.y(x, 2));
    }

    /** A binding that fails half-way (out of memory while sizing buffers) leaves no half-bound state behind. */
    @Test
    void aFailedBindingIsRedoneByTheNextCall() {
        ScaleGraph g = new ScaleGraph();
        g.failAbove = 100;
        Object[] in = {new float[]{1, 1, 2, 2}, new float[]{2, 3}, new double[]{1}};
        float[] want = ((float[]) g.run(in, new long[]{2})[0]).clone();
        assertThrows(OutOfMemoryError.class, () -> g.run(new Object[]{new float[202], new float[]{2, 3}, new double[]{1}}, new long[]{101}));
        assertArrayEquals(want, (float[]) g.run(in, new long[]{2})[0]);
    }

    @Test
    void genericRunBindsTheBatchFromTheShape() {
        Map<String, Tensor> out = new Scale().run(Map.of("x", Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 3, 2)));
        assertArrayEquals(new int[]{3, 2}, out.get("y").shape());
        assertArrayEquals(new float[]{3, 7, 7, 13, 11, 19}, out.get("y").floats());
        assertEquals(60.0, out.get("total").get(0));
    }

    @Test
    void copiesRunInParallelWithTheSameResults() throws Exception {
        Scale base = new Scale();
        int threads = 8, rounds = 200;
        List<Thread> ts = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            Scale mine = base.copy();
            int seed = t;
            ts.add(new Thread(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        int batch = 1 + (seed + r) % 5;
                        float[] x = new float[batch * 2];
                        for (int i = 0; i < x.length; i++) x[i] = seed * 100 + r + i;
                        float[] y = mine.y(x, batch);
                        for (int i = 0; i < x.length; i++)
                            if (y[i] != x[i] * (i % 2 == 0 ? 2 : 3) + 1) throw new AssertionError("thread " + seed + " round " + r + " element " + i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void commandLineReadsAndWritesNpy(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("x.npy"), out = dir.resolve("y.npy");
        // float64 input for an f32 model input: cast, as NumPy users save float64 by default
        Files.write(in, Npy.bytes(Tensor.of("f64", new double[]{1, 2}, 1, 2)));
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = ModelMain.run(new Scale(), new String[]{"--input", "x=" + in, "--output", "y=" + out}, new PrintStream(o), new PrintStream(e));
        assertEquals(0, code, e::toString);
        assertTrue(o.toString().contains("y: f32[1, 2]"), o::toString);
        Tensor y = Npy.read(Files.newInputStream(out));
        assertArrayEquals(new float[]{3, 7}, y.floats());
        code = ModelMain.run(new Scale(), new String[]{"--output", out.toString()}, new PrintStream(o), new PrintStream(e));
        assertEquals(2, code);
        assertTrue(e.toString().contains("several outputs"), e::toString);
        e.reset();
        code = ModelMain.run(new Scale(), new String[]{}, new PrintStream(o), new PrintStream(e));
        assertEquals(2, code);
        assertTrue(e.toString().contains("missing --input x=FILE.npy (f32[B, 2])"), e::toString);
        e.reset();
        Files.write(in, Npy.bytes(Tensor.of(new float[]{1, 2, 3}, 1, 3)));
        code = ModelMain.run(new Scale(), new String[]{"--input", in.toString()}, new PrintStream(o), new PrintStream(e));
        assertEquals(1, code);
        assertTrue(e.toString().contains("input x: expected f32[B, 2]"), e::toString);
    }

    /** A malformed .npy given to a model jar's command line is one line and exit 1, the same refusal dlc run gives (one reader). */
    @Test
    void commandLineRefusesAMalformedNpyInOneLine(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("x.npy");
        byte[] good = Npy.bytes(Tensor.of(new float[]{1, 2}, 1, 2));
        byte[][] bad = {java.util.Arrays.copyOf(good, good.length + 3), java.util.Arrays.copyOf(good, 8),
                NpyTest.npy(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1, 2), }", new byte[8]),
                NpyTest.npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(60_000) + ", }", new byte[8])};
        String[] why = {"has 3 unexpected bytes", "the header length is missing", "'fortran_order' is not True or False", "'shape' is not a tuple of ints"};
        for (int i = 0; i < bad.length; i++) {
            Files.write(in, bad[i]);
            ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
            int code = ModelMain.run(new Scale(), new String[]{"--input", "x=" + in}, new PrintStream(o), new PrintStream(e));
            assertEquals(1, code, e::toString);
            assertTrue(e.toString().startsWith("error: " + in + ": ") && e.toString().contains(why[i]), e::toString);
            assertEquals(1, e.toString().strip().lines().count(), e::toString);
        }
    }
}
