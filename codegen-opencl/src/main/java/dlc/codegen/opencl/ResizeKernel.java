package dlc.codegen.opencl;

import dlc.ir.Node;
import dlc.ir.Shape;
import dlc.ir.Value;

/**
 * {@code resize} as a generated kernel, one work-item per output element. Along each spatial axis
 * the op is a fixed linear map with at most two taps per output (nearest: one; bilinear: the floor
 * of the source coordinate and the next element, clamped), and the input's height and width and the
 * output size are compile-time constants, so the taps and weights are computed here on the host, in
 * double exactly as the interpreter's {@code ResizeOps.matrix} computes them (which source element
 * an output takes depends on {@code floor(i * n / m)} rounded in double), and written into the
 * kernel as {@code __constant} tables. The kernel sums {@code wh * ww * x} over the taps in the
 * interpreter's order, skipping zero weights as it does (so a NaN behind a zero weight stays out).
 * The gradient is two matmuls with constant matrices (the IR's VJP), which the GEMM runs.
 */
final class ResizeKernel {
    private ResizeKernel() {}

    /** The taps of one axis of {@code n} inputs resized to {@code m}: per output, two source indices and their weights (a weight 0: no tap). */
    record Taps(int[] first, int[] second, double[] firstWeight, double[] secondWeight) {
        static Taps of(int n, int m, boolean bilinear) {
            int[] i0s = new int[m], i1s = new int[m];
            double[] w0s = new double[m], w1s = new double[m];
            double scale = (double) n / m;
            for (int i = 0; i < m; i++) {
                if (!bilinear) {
                    i0s[i] = Math.min((int) Math.floor(i * scale), n - 1);
                    w0s[i] = 1;
                    continue;
                }
                double src = Math.max((i + 0.5) * scale - 0.5, 0);
                int i0 = Math.min((int) Math.floor(src), n - 1), i1 = Math.min(i0 + 1, n - 1);
                double l = src - i0;
                // as the interpreter's matrix row: a[i0] += 1 - l; a[i1] += l (one element when they coincide)
                double w0 = 0 + (1 - l);
                if (i1 == i0) {
                    w0 += l;
                    i1s[i] = i0;
                } else {
                    i1s[i] = i1;
                    w1s[i] = 0 + l;
                }
                i0s[i] = i0;
                w0s[i] = w0;
            }
            return new Taps(i0s, i1s, w0s, w1s);
        }
    }

    static void resize(Node n, ClLowering.KernelContext cx) {
        Value x = n.input(0), y = n.output();
        Shape xs = x.type().shape(), ys = y.type().shape();
        int h = (int) xs.dim(2).value(), w = (int) xs.dim(3).value(), ho = (int) ys.dim(2).value(), wo = (int) ys.dim(3).value();
        boolean bilinear = "bilinear".equals(n.attrs().has("mode") ? n.attrs().get("mode") : "nearest");
        String t = ClTypes.register(y);
        KernelWriter k = cx.kernel("resize (" + (bilinear ? "bilinear" : "nearest") + ") at " + n.loc() + ": " + x.type() + " -> " + y.type());
        if (!t.equals("float")) k.usesDouble();
        table(k, "rh", Taps.of(h, ho, bilinear), t);
        table(k, "rw", Taps.of(w, wo, bilinear), t);
        k.line("const int i = get_global_id(0);");
        k.line("const int j = i % " + wo + ", r = (i / " + wo + ") % " + ho + ", p = i / " + ((long) wo * ho) + ";");
        k.line("const int ah[2] = {rh_i0[r], rh_i1[r]}, aw[2] = {rw_i0[j], rw_i1[j]};");
        k.line("const " + t + " wh[2] = {rh_w0[r], rh_w1[r]}, ww[2] = {rw_w0[j], rw_w1[j]};");
        k.line(t + " acc = " + ClTypes.literal(0, t) + ";");
        k.line("for (int ta = 0; ta < 2; ta++) {");
        k.line("    if (wh[ta] == " + ClTypes.literal(0, t) + ") continue;");
        k.line("    for (int tb = 0; tb < 2; tb++)");
        k.line("        if (ww[tb] != " + ClTypes.literal(0, t) + ") acc += wh[ta] * ww[tb] * " + k.at(cx.home(x), "(p * " + h + " + ah[ta]) * " + w + " + aw[tb]") + ";");
        k.line("}");
        k.line(k.at(cx.home(y), "i") + " = acc;");
        cx.step(k.launch(ys.numel()));
    }

    /** The taps as {@code __constant} tables in the kernel's outermost scope. */
    private static void table(KernelWriter k, String name, Taps taps, String type) {
        k.line("__constant int " + name + "_i0[] = " + ints(taps.first()) + ";");
        k.line("__constant int " + name + "_i1[] = " + ints(taps.second()) + ";");
        k.line("__constant " + type + " " + name + "_w0[] = " + reals(taps.firstWeight(), type) + ";");
        k.line("__constant " + type + " " + name + "_w1[] = " + reals(taps.secondWeight(), type) + ";");
    }

    private static String ints(int[] a) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < a.length; i++) s.append(i == 0 ? "" : ", ").append(a[i]);
        return s.append('}').toString();
    }

    private static String reals(double[] a, String type) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < a.length; i++) s.append(i == 0 ? "" : ", ").append(ClTypes.literal(a[i], type));
        return s.append('}').toString();
    }
}
