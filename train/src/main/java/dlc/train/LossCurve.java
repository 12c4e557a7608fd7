package dlc.train;

import dlc.frontend.train.TrainPlan;
import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The loss curve of a run: a CSV (one row per epoch: training losses of each step, validation loss
 * and accuracy) and a PNG plot of training and validation loss per epoch, drawn with the JDK's
 * java.awt in headless mode (no display needed).
 */
public final class LossCurve {
    private static final int W = 640, H = 400, LEFT = 70, RIGHT = 20, TOP = 30, BOTTOM = 50;

    private static final Color ORANGE = new Color(255, 127, 14);
    private static final Color[] TRAIN_COLORS = {new Color(31, 119, 180), new Color(44, 160, 44), new Color(148, 103, 189), new Color(140, 86, 75)};

    private LossCurve() {}

    /** Writes {@code history} as CSV: {@code epoch,<step>_loss...,val_loss,val_accuracy,samples_per_s}. */
    public static void writeCsv(Path file, List<EpochRecord> history) throws IOException {
        StringBuilder sb = new StringBuilder("epoch");
        List<String> steps = history.isEmpty() ? List.of() : new ArrayList<>(history.get(0).trainLosses().keySet());
        for (String s : steps) sb.append(',').append(s.equals(TrainPlan.STEP) ? "train_loss" : s + "_loss");
        sb.append(",val_loss,val_accuracy,samples_per_s\n");
        for (EpochRecord r : history) {
            sb.append(r.epoch());
            for (String s : steps) sb.append(',').append(num(r.trainLosses().getOrDefault(s, Double.NaN)));
            sb.append(',').append(num(r.validationLoss())).append(',').append(num(r.validationAccuracy()))
                    .append(',').append(num(r.samplesPerSecond())).append('\n');
        }
        Files.writeString(file, sb);
    }

    private static String num(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v); }

    /** Draws the training loss of each step (blue, green, ...) and the validation loss (orange) per epoch, with axes, ticks and a legend, as a PNG. */
    public static void writePng(Path file, List<EpochRecord> history) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();

        // one training curve per step graph (a GAN has two), then the validation curve
        List<String> stepNames = history.isEmpty() ? List.of() : new ArrayList<>(history.get(0).trainLosses().keySet());
        List<double[]> series = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String step : stepNames) {
            series.add(history.stream().mapToDouble(r -> r.trainLosses().getOrDefault(step, Double.NaN)).toArray());
            labels.add(stepNames.size() == 1 ? "train" : "train " + step.substring(step.indexOf('.') + 1));
        }
        double[] val = history.stream().mapToDouble(EpochRecord::validationLoss).toArray();
        if (java.util.Arrays.stream(val).anyMatch(Double::isFinite)) {
            series.add(val);
            labels.add("validation");
        }
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] s : series)
            for (double v : s) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(lo <= hi)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12) { hi += 0.5; lo -= 0.5; }
        double pad = 0.05 * (hi - lo);
        lo = Math.max(lo - pad, lo >= 0 ? 0 : Double.NEGATIVE_INFINITY);
        hi += pad;
        int n = Math.max(1, history.size());
        int x0 = LEFT, x1 = W - RIGHT, y0 = H - BOTTOM, y1 = TOP;

        // y ticks at "nice" steps, with light grid lines
        double step = niceStep((hi - lo) / 5);
        g.setColor(new Color(230, 230, 230));
        for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) {
            int y = yOf(t, lo, hi, y0, y1);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.DARK_GRAY);
            String s = String.format(Locale.ROOT, step < 0.01 ? "%.4f" : step < 1 ? "%.2f" : "%.0f", t);
            g.drawString(s, x0 - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
            g.drawLine(x0 - 4, y, x0, y);
        }
        // x ticks at whole epochs (thinned to about 10 labels)
        int every = Math.max(1, (int) Math.ceil(n / 10.0));
        for (int e = 1; e <= n; e++) {
            if ((e - 1) % every != 0 && e != n) continue;
            int x = xOf(e, n, x0, x1);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(x, y0, x, y0 + 4);
            String s = Integer.toString(e);
            g.drawString(s, x - fm.stringWidth(s) / 2, y0 + 6 + fm.getAscent());
        }
        g.setColor(Color.BLACK);
        g.drawLine(x0, y0, x1, y0);
        g.drawLine(x0, y0, x0, y1);
        g.drawString("epoch", (x0 + x1) / 2 - fm.stringWidth("epoch") / 2, H - 12);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString("loss", -(y0 + y1) / 2 - fm.stringWidth("loss") / 2, 16);
        r.dispose();
        g.drawString("loss per epoch", x0, TOP - 10);

        // the legend sits in the title row, right-aligned, so it never covers a curve
        int legendWidth = 0;
        for (String l : labels) legendWidth += 20 + fm.stringWidth(l) + 16;
        int lx = x1 - legendWidth, ly = TOP - 14;
        for (int i = 0; i < series.size(); i++) {
            Color c = labels.get(i).equals("validation") ? ORANGE : TRAIN_COLORS[i % TRAIN_COLORS.length];
            drawSeries(g, series.get(i), lo, hi, n, c);
            g.setColor(c);
            g.fillRect(lx, ly, 14, 3);
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), lx + 20, ly + 5);
            lx += 20 + fm.stringWidth(labels.get(i)) + 16;
        }
        g.dispose();
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer available to write " + file);
    }

    private static void drawSeries(Graphics2D g, double[] s, double lo, double hi, int n, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2f));
        int px = -1, py = -1;
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) { px = -1; continue; }
            int x = xOf(i + 1, n, LEFT, W - RIGHT), y = yOf(s[i], lo, hi, H - BOTTOM, TOP);
            if (px >= 0) g.drawLine(px, py, x, y);
            g.fillOval(x - 3, y - 3, 6, 6);
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int xOf(int epoch, int n, int x0, int x1) {
        return n == 1 ? (x0 + x1) / 2 : x0 + 10 + (int) Math.round((double) (epoch - 1) / (n - 1) * (x1 - x0 - 20));
    }

    private static int yOf(double v, double lo, double hi, int y0, int y1) {
        return y0 - (int) Math.round((v - lo) / (hi - lo) * (y0 - y1));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }
}
