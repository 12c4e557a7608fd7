package dlc.ir.ops;

import dlc.ir.*;
import dlc.ir.eval.Tensor;
import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;

import java.util.*;

import static dlc.ir.ops.ReduceMovementTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Algebraic laws of the movement ops over random shapes (dims 0..4, rank 0..4) and values. */
class MovementPropertiesTest {
    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(0, 4).array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    private static long[] randomPermutation(Random rnd, int n) {
        List<Long> p = new ArrayList<>();
        for (long i = 0; i < n; i++) p.add(i);
        Collections.shuffle(p, rnd);
        return p.stream().mapToLong(Long::longValue).toArray();
    }

    private static Shape shapeOf(int[] s) { return Shape.of(Arrays.stream(s).asLongStream().toArray()); }

    @Property
    void permuteThenInversePermuteIsIdentity(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, shape);
        long[] perm = randomPermutation(rnd, shape.length), inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) inv[(int) perm[i]] = i;
        Tensor y = run(Ops.PERMUTE, Attrs.of("perm", perm), x);
        for (int i = 0; i < perm.length; i++) assertEquals(shape[(int) perm[i]], y.dim(i));
        assertEquals(x, run(Ops.PERMUTE, Attrs.of("perm", inv), y));
    }

    @Property
    void reshapeToFlatAndBackIsIdentity(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Tensor x = random(new Random(seed), shape);
        Tensor flat = run(Ops.RESHAPE, Attrs.of("shape", Shape.of(x.size())), x);
        assertArrayEquals(x.data(), flat.data());
        assertEquals(x, run(Ops.RESHAPE, Attrs.of("shape", shapeOf(shape)), flat));
    }

    @Property
    void reverseTwiceIsIdentity(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, shape);
        long[] axes = java.util.stream.LongStream.range(0, shape.length).filter(a -> rnd.nextBoolean()).toArray();
        Tensor once = run(Ops.REVERSE, Attrs.of("axes", axes), x);
        assertEquals(x, run(Ops.REVERSE, Attrs.of("axes", axes), once));
    }

    @Property
    void sliceUndoesPad(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, shape);
        int r = shape.length;
        long[] low = new long[r], high = new long[r], steps = new long[r];
        long[] starts = new long[r], stops = new long[r];
        for (int a = 0; a < r; a++) {
            low[a] = rnd.nextInt(3);
            high[a] = rnd.nextInt(3);
            steps[a] = 1;
            starts[a] = low[a];
            stops[a] = low[a] + shape[a];
        }
        Tensor padded = run(Ops.PAD, Attrs.of("low", low, "high", high, "value", -1.0), x);
        assertEquals(Tensor.numel(padded.shape()) - x.size(),
                Arrays.stream(padded.data()).filter(v -> v == -1.0).count(), "every padded cell holds the value");
        assertEquals(x, run(Ops.SLICE, Attrs.of("starts", Shape.of(starts), "stops", Shape.of(stops), "steps", steps), padded));
    }

    @Property
    void concatThenSliceGivesThePartsBack(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Assume.that(shape.length >= 1);
        Random rnd = new Random(seed);
        int axis = rnd.nextInt(shape.length);
        int[] other = shape.clone();
        other[axis] = rnd.nextInt(4);
        Tensor a = random(rnd, shape), b = random(rnd, other);
        Tensor c = run(Ops.CONCAT, Attrs.of("axis", (long) axis), a, b);
        long[] starts = new long[shape.length], stops = Arrays.stream(c.shape()).asLongStream().toArray();
        long[] ones = new long[shape.length];
        Arrays.fill(ones, 1);
        stops[axis] = shape[axis];
        assertEquals(a, run(Ops.SLICE, Attrs.of("starts", Shape.of(starts), "stops", Shape.of(stops), "steps", ones), c));
        starts[axis] = shape[axis];
        stops[axis] = shape[axis] + other[axis];
        assertEquals(b, run(Ops.SLICE, Attrs.of("starts", Shape.of(starts), "stops", Shape.of(stops), "steps", ones), c));
    }

    @Property
    void stridedSliceMatchesIndexArithmetic(@ForAll @IntRange(min = 0, max = 9) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] shape = {n};
        long start = rnd.nextInt(n + 1), stop = start + rnd.nextInt((int) (n - start) + 1), step = 1 + rnd.nextInt(3);
        Tensor x = random(rnd, shape);
        Tensor y = run(Ops.SLICE, Attrs.of("starts", Shape.of(start), "stops", Shape.of(stop), "steps", new long[]{step}), x);
        List<Double> expected = new ArrayList<>();
        for (long i = start; i < stop; i += step) expected.add(x.data()[(int) i]);
        assertEquals(expected, Arrays.stream(y.data()).boxed().toList());
    }

    /** gather and scatter_add are adjoint: {@code <gather(x, i), u> == <x, scatter_add(0, i, u)>}. */
    @Property
    void scatterAddIsTheAdjointOfGather(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Assume.that(shape.length >= 1);
        Random rnd = new Random(seed);
        int axis = rnd.nextInt(shape.length);
        Assume.that(shape[axis] > 0);
        int[] idxShape = new int[rnd.nextInt(3)];
        for (int i = 0; i < idxShape.length; i++) idxShape[i] = rnd.nextInt(4);
        double[] iv = new double[(int) Tensor.numel(idxShape)];
        for (int i = 0; i < iv.length; i++) iv[i] = rnd.nextInt(shape[axis]); // duplicates likely
        Tensor x = random(rnd, shape), idx = new Tensor(DType.I64, idxShape, iv);
        Attrs at = Attrs.of("axis", (long) axis);
        Tensor gx = run(Ops.GATHER, at, x, idx);
        Tensor u = random(rnd, gx.shape());
        Tensor su = run(Ops.SCATTER_ADD, at, Tensor.zeros(DType.F64, shape), idx, u);
        // both sides sum the same products in different orders; |terms| <= 4, at most 1024 of them
        assertEquals(dot(gx, u), dot(x, su), 1e-9);
    }

    @Property
    void broadcastThenSumOverNewAxesScalesByTheirSize(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Random rnd = new Random(seed);
        int lead = 1 + rnd.nextInt(3);
        Tensor x = random(rnd, shape);
        int[] to = new int[shape.length + 1];
        to[0] = lead;
        System.arraycopy(shape, 0, to, 1, shape.length);
        Tensor b = run(Ops.BROADCAST_TO, Attrs.of("shape", shapeOf(to)), x);
        Tensor s = run(Ops.SUM, Attrs.of("axes", new long[]{0}), b);
        for (int i = 0; i < x.size(); i++) assertEquals(lead * x.data()[i], s.data()[i], 1e-12);
    }

    @Property
    void iotaGatherIsIdentity(@ForAll("shapes") int[] shape, @ForAll long seed) {
        Assume.that(shape.length >= 1);
        int axis = new Random(seed).nextInt(shape.length);
        Tensor x = random(new Random(seed), shape);
        Tensor iota = run(Ops.IOTA, Attrs.of("dtype", DType.I64, "shape", Shape.of(shape[axis]), "axis", 0L));
        assertEquals(x, run(Ops.GATHER, Attrs.of("axis", (long) axis), x, iota));
    }
}
