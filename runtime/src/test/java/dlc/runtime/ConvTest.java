package dlc.runtime;

import dlc.ir.Attrs;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dlc.runtime.ConvReference.*;

/**
 * Every conv kernel against the float64 reference op on random geometries: batch, groups, channels,
 * kernel, stride, dilation, padding, output padding, and offsets into larger arrays. Both conv2d
 * paths run (one GEMM per image for large output planes, one stacked GEMM for small ones), and so
 * do the 1x1 shortcuts.
 */
class ConvTest {
    /** One random conv2d geometry; {@code big} asks for output planes of at least 64 (the per-image path). */
    record Case(int n, int g, int cg, int og, int kh, int kw, int sh, int sw, int dh, int dw,
                int top, int bottom, int left, int right, int h, int w) {
        static Case random(Random r, boolean big, boolean pointwise) {
            int kh = pointwise ? 1 : 1 + r.nextInt(4), kw = pointwise ? 1 : 1 + r.nextInt(4);
            int sh = pointwise ? 1 : 1 + r.nextInt(3), sw = pointwise ? 1 : 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(3);
            int[] p = new int[4];
            if (!pointwise) for (int i = 0; i < 4; i++) p[i] = r.nextInt(3);
            int spanH = dh * (kh - 1) + 1, spanW = dw * (kw - 1) + 1;
            int h = Math.max(1, spanH - p[0] - p[1] + r.nextInt(big ? 4 : 3) * sh + (big ? 9 * sh : 0) + r.nextInt(2));
            int w = Math.max(1, spanW - p[2] - p[3] + r.nextInt(big ? 4 : 3) * sw + (big ? 9 * sw : 0) + r.nextInt(2));
            return new Case(1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(4), 1 + r.nextInt(4), kh, kw, sh, sw, dh, dw,
                    p[0], p[1], p[2], p[3], h, w);
        }

        int ho() { return Math.floorDiv(h + top + bottom - dh * (kh - 1) - 1, sh) + 1; }

        int wo() { return Math.floorDiv(w + left + right - dw * (kw - 1) - 1, sw) + 1; }

        int[] geo() { return new int[]{sh, sw, top, bottom, left, right, dh, dw, g}; }

        Attrs attrs() {
            return Attrs.of("stride", new long[]{sh, sw}, "padding", new long[]{top, bottom, left, right},
                    "dilation", new long[]{dh, dw}, "groups", (long) g);
        }
    }

    @Test
    void conv2dMatchesReference() {
        Random r = new Random(1);
        int perImage = 0, stacked = 0;
        for (int t = 0; t < 300; t++) {
            Case c = Case.random(r, t % 2 == 0, t % 10 == 9);
            if (c.ho() < 1 || c.wo() < 1) continue;
            if (Conv.conv2dStacked(c.ho(), c.wo())) stacked++;
            else perImage++;
            checkConv2d(c, r, t % 3 == 0);
        }
        if (perImage < 50 || stacked < 50) throw new AssertionError("too few cases on a path: " + perImage + " per image, " + stacked + " stacked");
    }

    private static void checkConv2d(Case c, Random r, boolean withBias) {
        int[] xs = {c.n, c.g * c.cg, c.h, c.w}, ws = {c.g * c.og, c.cg, c.kh, c.kw}, ys = {c.n, c.g * c.og, c.ho(), c.wo()};
        int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5), bOff = r.nextInt(5);
        float[] x = floats(r, xOff, (int) Tensor.numel(xs)), w = floats(r, wOff, (int) Tensor.numel(ws));
        float[] bias = withBias ? floats(r, bOff, ys[1]) : null;
        float[] y = new float[yOff + (int) Tensor.numel(ys)];
        // scratch and y start as garbage, as they do in generated code
        float[] col = nans((int) Conv.conv2dColSize(xs, ws, ys));
        float[] out = Conv.conv2dStacked(ys[2], ys[3]) ? nans((int) Conv.conv2dOutSize(ys, c.g)) : null;
        java.util.Arrays.fill(y, Float.NaN);
        int act = withBias ? Gemm.ACT_RELU : Gemm.ACT_NONE;
        Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, c.geo(), col, out, bias, bOff, act);

        Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, w, wOff);
        double[] want = eval("conv2d", c.attrs(), tx, tw), scale = eval("conv2d", c.attrs(), abs(tx), abs(tw));
        int plane = ys[2] * ys[3];
        if (withBias)
            for (int i = 0; i < want.length; i++) {
                double b = bias[bOff + i / plane % ys[1]];
                want[i] = Math.max(0, want[i] + b);
                scale[i] += Math.abs(b);
            }
        assertClose("conv2d " + c + (withBias ? " + bias, relu" : ""), want, scale, y, yOff, c.cg * c.kh * c.kw + 1);
    }

    @Test
    void conv2dF64MatchesReferenceExactly() {
        Random r = new Random(2);
        for (int t = 0; t < 100; t++) {
            Case c = Case.random(r, t % 2 == 0, false);
            if (c.ho() < 1 || c.wo() < 1) continue;
            int[] xs = {c.n, c.g * c.cg, c.h, c.w}, ws = {c.g * c.og, c.cg, c.kh, c.kw}, ys = {c.n, c.g * c.og, c.ho(), c.wo()};
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            double[] x = doubles(r, xOff, (int) Tensor.numel(xs)), w = doubles(r, wOff, (int) Tensor.numel(ws));
            double[] y = new double[yOff + (int) Tensor.numel(ys)];
            Conv.conv2d(x, xOff, xs, w, wOff, ws, y, yOff, ys, c.geo());
            assertExact("f64 conv2d " + c, eval("conv2d", c.attrs(), tensor(xs, x, xOff), tensor(ws, w, wOff)), y, yOff);
        }
    }

    /** The transpose of a random conv2d geometry: x is shaped like that conv's output. */
    @Test
    void convTranspose2dMatchesReference() {
        Random r = new Random(3);
        for (int t = 0; t < 300; t++) {
            Case c = Case.random(r, t % 2 == 0, t % 10 == 9);
            if (c.ho() < 1 || c.wo() < 1) continue;
            int oph = r.nextInt(Math.max(c.sh, c.dh)), opw = r.nextInt(Math.max(c.sw, c.dw));
            int h = c.ho(), w = c.wo();
            int ho = (h - 1) * c.sh - c.top - c.bottom + c.dh * (c.kh - 1) + oph + 1;
            int wo = (w - 1) * c.sw - c.left - c.right + c.dw * (c.kw - 1) + opw + 1;
            if (ho < 1 || wo < 1) continue;
            int[] xs = {c.n, c.g * c.cg, h, w}, ws = {c.g * c.cg, c.og, c.kh, c.kw}, ys = {c.n, c.g * c.og, ho, wo};
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            float[] x = floats(r, xOff, (int) Tensor.numel(xs)), wt = floats(r, wOff, (int) Tensor.numel(ws));
            float[] y = floats(r, yOff, (int) Tensor.numel(ys)); // garbage: the kernel must overwrite all of y
            float[] col = nans((int) Conv.convTranspose2dColSize(xs, ws));
            Conv.convTranspose2d(x, xOff, xs, wt, wOff, ws, y, yOff, ys, c.geo(), col);

            Attrs attrs = c.attrs().with("output_padding", new long[]{oph, opw});
            Tensor tx = tensor(xs, x, xOff), tw = tensor(ws, wt, wOff);
            assertClose("conv_transpose2d " + c + " output padding " + oph + "," + opw,
                    eval("conv_transpose2d", attrs, tx, tw), eval("conv_transpose2d", attrs, abs(tx), abs(tw)), y, yOff, c.cg * c.kh * c.kw);

            double[] xd = doubles(r, xOff, (int) Tensor.numel(xs)), wd = doubles(r, wOff, (int) Tensor.numel(ws));
            double[] yd = new double[yOff + (int) Tensor.numel(ys)];
            Conv.convTranspose2d(xd, xOff, xs, wd, wOff, ws, yd, yOff, ys, c.geo());
            assertExact("f64 conv_transpose2d " + c, eval("conv_transpose2d", attrs, tensor(xs, xd, xOff), tensor(ws, wd, wOff)), yd, yOff);
        }
    }

    /** The reference CNN's layers (batch 4 here) and the weight-gradient correlations its VJP builds. */
    @Test
    void referenceCnnShapes() {
        Random r = new Random(4);
        // conv 3x3 1->32 on 28x28 and 32->64 on 14x14, padding 1
        checkConv2d(new Case(4, 1, 1, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28), r, true);
        checkConv2d(new Case(4, 1, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14), r, false);
        // their weight gradients: batch = input channels, channels = batch, kernel = cotangent plane
        checkConv2d(new Case(1, 1, 4, 32, 28, 28, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28), r, false);
        checkConv2d(new Case(32, 1, 4, 64, 14, 14, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14), r, false);
    }

    static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    @Test
    void mismatchedShapesFailLoudly() {
        int[] xs = {1, 2, 5, 5}, ws = {3, 2, 3, 3}, ys = {1, 3, 4, 3};
        float[] x = new float[50], w = new float[54], y = new float[36], col = new float[1000];
        try {
            Conv.conv2d(x, 0, xs, w, 0, ws, y, 0, ys, new int[]{1, 1, 0, 0, 0, 0, 1, 1, 1}, col, null);
            throw new AssertionError("a wrong output shape was accepted");
        } catch (IllegalArgumentException expected) {
            if (!expected.getMessage().contains("conv2d shapes do not agree")) throw expected;
        }
    }
}
