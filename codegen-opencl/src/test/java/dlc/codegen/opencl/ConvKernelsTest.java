package dlc.codegen.opencl;

import dlc.runtime.Conv;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.codegen.opencl.ArenaImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * conv.cl against float64 references: dlc.runtime.Conv's double loops (the JVM backend's f64
 * kernels, written to the IR's semantics) for conv2d and conv_transpose2d, and the definition of
 * the weight gradient summed directly. The input gradient is conv_transpose2d with the
 * forward's geometry and the output padding that restores the input size, as the IR's gradient
 * rule builds it.
 *
 * <p>Tolerance: each output element is a float32 sum of K products (K = C/g*kH*kW, or N*Ho*Wo
 * for the weight gradient) formed in ascending k, some of them exact zeros from padding. By
 * Higham's bound for a dot product its error is at most gamma_K * sum|x_i w_i|, gamma_K = K u /
 * (1 - K u), u = 2^-24; the same convolution of |x| and |w| in double gives that sum per
 * element. So every element must be within (K + 1) u * |conv|(|x|, |w|): a bound that holds for
 * any input (the test cannot flake) while a wrong index moves an element by O(1).
 */
class ConvKernelsTest {
    private static final double U = 0x1p-24;

    /** x [N, C, H, W], w [O, C/g, kH, kW], geometry [sH, sW, top, bottom, left, right, dH, dW, groups]. */
    private record Case(int[] xs, int[] ws, int[] geo) {
        @Override public String toString() {
            return "x" + java.util.Arrays.toString(xs) + " w" + java.util.Arrays.toString(ws) + " geo" + java.util.Arrays.toString(geo);
        }
    }

    private static final Case[] CASES = {
            new Case(new int[]{2, 3, 7, 6}, new int[]{4, 3, 3, 3}, new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1}),
            // stride 2, padding on two sides only, dilation 2 in height
            new Case(new int[]{1, 2, 9, 8}, new int[]{5, 2, 3, 2}, new int[]{2, 2, 0, 2, 1, 0, 2, 1, 1}),
            // 3 groups, stride only in height, windows that miss the last row
            new Case(new int[]{2, 6, 5, 5}, new int[]{6, 2, 2, 2}, new int[]{2, 1, 0, 0, 0, 0, 1, 1, 3}),
            // depthwise (groups = channels) with padding
            new Case(new int[]{1, 4, 6, 7}, new int[]{4, 1, 3, 3}, new int[]{1, 1, 1, 1, 1, 1, 1, 1, 4}),
            // every dim 1
            new Case(new int[]{1, 1, 1, 1}, new int[]{1, 1, 1, 1}, new int[]{1, 1, 0, 0, 0, 0, 1, 1, 1}),
            // pointwise
            new Case(new int[]{3, 5, 4, 4}, new int[]{7, 5, 1, 1}, new int[]{1, 1, 0, 0, 0, 0, 1, 1, 1}),
            // more output channels and positions than one 64 x 64 tile, K across several TSK steps
            new Case(new int[]{2, 8, 13, 11}, new int[]{70, 8, 3, 3}, new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1}),
            // stride 3, dilation 2, large padding
            new Case(new int[]{2, 3, 11, 10}, new int[]{2, 3, 3, 3}, new int[]{3, 3, 2, 2, 2, 2, 2, 2, 1}),
            // a kernel as large as the padded input: one output position
            new Case(new int[]{3, 2, 4, 5}, new int[]{4, 1, 5, 5}, new int[]{1, 1, 1, 0, 0, 0, 1, 1, 2}),
    };

    @Test void forwardMatchesTheReference() { forward(new ConvKernels(OpenClTestSupport.executor())); }

    @Test void inputGradientIsTheTransposeWithTheForwardGeometry() { inputGradient(new ConvKernels(OpenClTestSupport.executor())); }

    @Test void weightGradientMatchesItsDefinition() { weightGradient(new ConvKernels(OpenClTestSupport.executor())); }

    @Test void theSmallerTilingsOtherDevicesGetAgreeToo() {
        // the device here runs the largest tiling; a GPU with smaller work-groups or local memory gets these
        ClExecutor ex = OpenClTestSupport.executor();
        for (int t = 1; t < Sgemm.TILINGS.length; t++) {
            ConvKernels conv = new ConvKernels(ex, Sgemm.TILINGS[t]);
            forward(conv);
            inputGradient(conv);
            weightGradient(conv);
        }
    }

    @Test void seededRandomGeometriesAgree() {
        // 60 geometries drawn from a fixed seed: strides, dilations and paddings up to 3 on each side,
        // 1 to 3 groups, kernels up to 4, planes just large enough and a little more
        Random rnd = new Random(20261207);
        Case[] cases = new Case[60];
        for (int i = 0; i < cases.length; i++) {
            int g = 1 + rnd.nextInt(3), cg = 1 + rnd.nextInt(3), og = 1 + rnd.nextInt(3), kh = 1 + rnd.nextInt(4), kw = 1 + rnd.nextInt(4);
            int[] geo = {1 + rnd.nextInt(3), 1 + rnd.nextInt(3), rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4),
                    1 + rnd.nextInt(3), 1 + rnd.nextInt(3), g};
            int h = Math.max(1, geo[6] * (kh - 1) + 1 - geo[2] - geo[3]) + rnd.nextInt(6);
            int w = Math.max(1, geo[7] * (kw - 1) + 1 - geo[4] - geo[5]) + rnd.nextInt(6);
            cases[i] = new Case(new int[]{1 + rnd.nextInt(3), g * cg, h, w}, new int[]{g * og, cg, kh, kw}, geo);
        }
        ConvKernels conv = new ConvKernels(OpenClTestSupport.executor());
        forward(conv, cases);
        inputGradient(conv, cases);
        weightGradient(conv, cases);
    }

    private static void forward(ConvKernels conv) { forward(conv, CASES); }

    private static void inputGradient(ConvKernels conv) { inputGradient(conv, CASES); }

    private static void weightGradient(ConvKernels conv) { weightGradient(conv, CASES); }

    private static void forward(ConvKernels conv, Case[] cases) {
        ClExecutor ex = OpenClTestSupport.executor();
        int seed = 0;
        for (Case c : cases) {
            Random rnd = new Random(++seed);
            ConvGeometry geo = ConvGeometry.of(c.geo);
            int[] ys = {c.xs[0], c.ws[0], geo.outH(c.xs[2], c.ws[2]), geo.outW(c.xs[3], c.ws[3])};
            float[] x = gaussian(rnd, count(c.xs)), w = gaussian(rnd, count(c.ws));
            ArenaImage img = new ArenaImage();
            int xAt = img.add(x), wAt = img.add(w), yAt = img.output(count(ys));
            float[] after = img.run(ex, a -> conv.conv2d(a, xAt, c.xs, wAt, c.ws, yAt, ys, geo));

            double[] ref = new double[count(ys)], mag = new double[count(ys)];
            Conv.conv2d(toDouble(x), 0, c.xs, toDouble(w), 0, c.ws, ref, 0, ys, c.geo);
            Conv.conv2d(abs(toDouble(x)), 0, c.xs, abs(toDouble(w)), 0, c.ws, mag, 0, ys, c.geo);
            check("conv2d " + c, slice(after, yAt, ref.length), ref, mag, c.ws[1] * c.ws[2] * c.ws[3]);
        }
    }

    @Test void forwardEpilogueAddsTheBiasAndActivates() {
        // y = act(conv + bias[o]): relu, tanh and sigmoid are 1-Lipschitz, so the bound of the
        // sum (now K + 1 terms with the bias) carries through them; OpenCL's tanh is within 5 ulp
        // and the sigmoid's exp within 3 ulp, with its add and divide under 16 u relative in all.
        ClExecutor ex = OpenClTestSupport.executor();
        ConvKernels conv = new ConvKernels(ex);
        Case c = CASES[2]; // 3 groups, stride 2 in height
        ConvGeometry geo = ConvGeometry.of(c.geo);
        int[] ys = {c.xs[0], c.ws[0], geo.outH(c.xs[2], c.ws[2]), geo.outW(c.xs[3], c.ws[3])};
        int k = c.ws[1] * c.ws[2] * c.ws[3], plane = ys[2] * ys[3];
        for (Activation act : Activation.values()) {
            Random rnd = new Random(300 + act.ordinal());
            float[] x = gaussian(rnd, count(c.xs)), w = gaussian(rnd, count(c.ws)), bias = gaussian(rnd, c.ws[0]);
            ArenaImage img = new ArenaImage();
            int xAt = img.add(x), wAt = img.add(w), bAt = img.add(bias), yAt = img.output(count(ys));
            float[] after = img.run(ex, a -> conv.conv2d(a, xAt, c.xs, wAt, c.ws, yAt, ys, geo, bAt, act));
            double[] ref = new double[count(ys)], mag = new double[count(ys)];
            Conv.conv2d(toDouble(x), 0, c.xs, toDouble(w), 0, c.ws, ref, 0, ys, c.geo);
            Conv.conv2d(abs(toDouble(x)), 0, c.xs, abs(toDouble(w)), 0, c.ws, mag, 0, ys, c.geo);
            for (int i = 0; i < ref.length; i++) {
                int o = (i / plane) % ys[1];
                double pre = ref[i] + bias[o], y = switch (act) {
                    case NONE -> pre;
                    case RELU -> Math.max(pre, 0);
                    case TANH -> Math.tanh(pre);
                    case SIGMOID -> 1 / (1 + Math.exp(-pre));
                };
                double tol = (k + 2) * U * (mag[i] + Math.abs(bias[o])) * 1.0001 + 16 * U * Math.abs(y) + Double.MIN_NORMAL;
                float got = after[yAt + i];
                int at = i;
                assertTrue(Math.abs(got - y) <= tol, () -> act + ": element " + at + " = " + got + ", expected " + y + " within " + tol);
            }
        }
    }

    private static void inputGradient(ConvKernels conv, Case[] cases) {
        ClExecutor ex = OpenClTestSupport.executor();
        int seed = 100;
        for (Case c : cases) {
            Random rnd = new Random(++seed);
            ConvGeometry geo = ConvGeometry.of(c.geo);
            int[] gys = {c.xs[0], c.ws[0], geo.outH(c.xs[2], c.ws[2]), geo.outW(c.xs[3], c.ws[3])};
            float[] gy = gaussian(rnd, count(gys)), w = gaussian(rnd, count(c.ws));
            // conv2d's weight [O, C/g, kh, kw] read as conv_transpose2d's [C_in = O, C_out/g = C/g, kh, kw]; the result is x-shaped
            ArenaImage img = new ArenaImage();
            int gyAt = img.add(gy), wAt = img.add(w), gxAt = img.output(count(c.xs));
            float[] after = img.run(ex, a -> conv.convTranspose2d(a, gyAt, gys, wAt, c.ws, gxAt, c.xs, geo));

            double[] ref = new double[count(c.xs)], mag = new double[count(c.xs)];
            Conv.convTranspose2d(toDouble(gy), 0, gys, toDouble(w), 0, c.ws, ref, 0, c.xs, c.geo);
            Conv.convTranspose2d(abs(toDouble(gy)), 0, gys, abs(toDouble(w)), 0, c.ws, mag, 0, c.xs, c.geo);
            check("input gradient " + c, slice(after, gxAt, ref.length), ref, mag, (c.ws[0] / c.geo[8]) * c.ws[2] * c.ws[3]);
        }
    }

    private static void weightGradient(ConvKernels conv, Case[] cases) {
        ClExecutor ex = OpenClTestSupport.executor();
        int seed = 200;
        for (Case c : cases) {
            Random rnd = new Random(++seed);
            ConvGeometry geo = ConvGeometry.of(c.geo);
            int[] gys = {c.xs[0], c.ws[0], geo.outH(c.xs[2], c.ws[2]), geo.outW(c.xs[3], c.ws[3])};
            float[] x = gaussian(rnd, count(c.xs)), gy = gaussian(rnd, count(gys));
            ArenaImage img = new ArenaImage();
            int xAt = img.add(x), gyAt = img.add(gy), gwAt = img.output(count(c.ws));
            float[] after = img.run(ex, a -> conv.conv2dWeightGrad(a, xAt, c.xs, gyAt, gys, gwAt, c.ws, geo));

            double[] ref = weightGrad(toDouble(x), c.xs, toDouble(gy), gys, c.ws, c.geo);
            double[] mag = weightGrad(abs(toDouble(x)), c.xs, abs(toDouble(gy)), gys, c.ws, c.geo);
            check("weight gradient " + c, slice(after, gwAt, ref.length), ref, mag, gys[0] * gys[2] * gys[3]);
        }
    }

    @Test void weightGradientSplitOverTheDeviceIsAccurateAndReproducible() {
        // K = 4 * 30 * 30 = 3600 terms per element and one tile of gw: the sum is cut into slices
        ClExecutor ex = OpenClTestSupport.executor();
        ConvKernels conv = new ConvKernels(ex);
        int[] xs = {4, 3, 30, 30}, ws = {4, 3, 3, 3}, geoA = {1, 1, 1, 1, 1, 1, 1, 1, 1}, gys = {4, 4, 30, 30};
        ConvGeometry geo = ConvGeometry.of(geoA);
        long scratch = conv.weightGradScratchFloats(xs, gys, ws, geo);
        assertTrue(scratch >= 2L * count(ws), "a long sum on " + ex.device().describe() + " is split, scratch " + scratch);
        Random rnd = new Random(7);
        float[] x = gaussian(rnd, count(xs)), gy = gaussian(rnd, count(gys));
        ArenaImage img = new ArenaImage();
        int xAt = img.add(x), gyAt = img.add(gy), gwAt = img.output(count(ws)), againAt = img.output(count(ws));
        int sAt = img.output((int) scratch);
        float[] after = img.run(ex, a -> {
            conv.conv2dWeightGrad(a, xAt, xs, gyAt, gys, gwAt, ws, geo, sAt, scratch);
            conv.conv2dWeightGrad(a, xAt, xs, gyAt, gys, againAt, ws, geo, sAt, scratch);
        });
        double[] ref = weightGrad(toDouble(x), xs, toDouble(gy), gys, ws, geoA);
        double[] mag = weightGrad(abs(toDouble(x)), xs, abs(toDouble(gy)), gys, ws, geoA);
        check("split weight gradient", slice(after, gwAt, ref.length), ref, mag, 3600);
        assertArrayEquals(slice(after, gwAt, ref.length), slice(after, againAt, ref.length), 0f, "the same slices, the same sums");
    }

    @Test void transposeWithGroupsAndOutputPadding() {
        // a conv_transpose2d in its own right: 2 groups, stride 2, output padding (1, 1) and (0, 1)
        ClExecutor ex = OpenClTestSupport.executor();
        ConvKernels conv = new ConvKernels(ex);
        int[] xs = {2, 4, 3, 4}, ws = {4, 3, 3, 2}, geoA = {2, 2, 1, 1, 0, 1, 1, 1, 2};
        ConvGeometry geo = ConvGeometry.of(geoA);
        for (int[] outPad : new int[][]{{1, 1}, {0, 1}, {0, 0}}) {
            int[] ys = {2, 6, geo.transposedH(xs[2], ws[2]) + outPad[0], geo.transposedW(xs[3], ws[3]) + outPad[1]};
            Random rnd = new Random(ys[2] * 31 + ys[3]);
            float[] x = gaussian(rnd, count(xs)), w = gaussian(rnd, count(ws));
            ArenaImage img = new ArenaImage();
            int xAt = img.add(x), wAt = img.add(w), yAt = img.output(count(ys));
            float[] after = img.run(ex, a -> conv.convTranspose2d(a, xAt, xs, wAt, ws, yAt, ys, geo));
            double[] ref = new double[count(ys)], mag = new double[count(ys)];
            Conv.convTranspose2d(toDouble(x), 0, xs, toDouble(w), 0, ws, ref, 0, ys, geoA);
            Conv.convTranspose2d(abs(toDouble(x)), 0, xs, abs(toDouble(w)), 0, ws, mag, 0, ys, geoA);
            check("conv_transpose2d y" + java.util.Arrays.toString(ys), slice(after, yAt, ref.length), ref, mag, 2 * 3 * 2);
        }
    }

    @Test void rejectsShapesThatDisagreeAndTensorsOutsideTheArena() {
        ClExecutor ex = OpenClTestSupport.executor();
        ConvKernels conv = new ConvKernels(ex);
        try (DeviceArena arena = ex.arena("small", ArenaLayout.packed(java.util.Map.of("all", 256L * Float.BYTES)))) {
            String shapes = assertThrows(IllegalArgumentException.class, () -> conv.conv2d(arena, 0, new int[]{1, 3, 5, 5}, 100,
                    new int[]{2, 2, 3, 3}, 150, new int[]{1, 2, 3, 3}, ConvGeometry.plain())).getMessage();
            assertTrue(shapes.startsWith("conv2d shapes do not agree: input [1, 3, 5, 5], weight [2, 2, 3, 3]"), shapes);
            String past = assertThrows(IllegalArgumentException.class, () -> conv.conv2d(arena, 0, new int[]{1, 2, 5, 5}, 100,
                    new int[]{2, 2, 3, 3}, 240, new int[]{1, 2, 3, 3}, ConvGeometry.plain())).getMessage();
            assertEquals("conv2d: output (18 elements at offset 240) reaches element 258, past the end of arena small (256 elements of 4 bytes)", past);
        }
    }

    /** gw[o, c, u, v] = sum_{n, i, j} gy[n, o, i, j] * xpad[n, q*cg + c, i*sH - top + u*dH, j*sW - left + v*dW]. */
    static double[] weightGrad(double[] x, int[] xs, double[] gy, int[] gys, int[] ws, int[] g) {
        int o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], og = o / g[8];
        double[] gw = new double[count(ws)];
        for (int oc = 0; oc < o; oc++)
            for (int c = 0; c < cg; c++)
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++) {
                        double acc = 0;
                        for (int n = 0; n < xs[0]; n++)
                            for (int i = 0; i < gys[2]; i++)
                                for (int j = 0; j < gys[3]; j++) {
                                    int ih = i * g[0] - g[2] + u * g[6], iw = j * g[1] - g[4] + v * g[7];
                                    if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) continue;
                                    acc += gy[((n * o + oc) * gys[2] + i) * gys[3] + j]
                                            * x[((n * xs[1] + (oc / og) * cg + c) * xs[2] + ih) * xs[3] + iw];
                                }
                        gw[((oc * cg + c) * kh + u) * kw + v] = acc;
                    }
        return gw;
    }

    static void check(String what, float[] got, double[] ref, double[] mag, int k) {
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            double tol = (k + 1) * U * mag[i] * 1.0001 + Double.MIN_NORMAL;
            float g = got[i];
            int at = i;
            assertTrue(Math.abs(g - ref[i]) <= tol, () -> what + ": element " + at + " = " + g + ", expected " + ref[at] + " within " + tol);
        }
    }

    static int count(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }
}
