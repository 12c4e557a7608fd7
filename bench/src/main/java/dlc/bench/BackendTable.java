package dlc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * dlc's backends side by side: one markdown row per workload, metric and thread count, with each
 * backend's median and 10th percentile (ms per step) and their ratios to the first backend's
 * (above 1: slower than it). The p10 ratio is the steadier one on a loaded machine (a step that was
 * preempted lands above it). A case a backend does not run yet says "not supported yet"; one whose
 * check failed is marked "check FAILED".
 *
 * <pre>java -cp ... dlc.bench.BackendTable dlc-jvm,dlc-opencl RESULTS...</pre>
 * reads Workloads' output (its median, {@code # } detail, {@code % unsupported} and
 * {@code % check FAIL} lines); {@code Workloads} prints the same table itself when given several
 * backends ({@code -Dbench.backend=jvm,opencl}).
 */
public final class BackendTable {
    private BackendTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BackendTable PEER,PEER... RESULTS...  (e.g. dlc-jvm,dlc-opencl bench/target/results/cl.txt)");
            System.exit(2);
        }
        List<String> lines = new ArrayList<>();
        for (String f : Arrays.asList(args).subList(1, args.length)) lines.addAll(Files.readAllLines(Path.of(f)));
        System.out.print(render(lines, Arrays.asList(args[0].split(","))));
    }

    private record Cell(double median, double p10, String note) {}

    /** The table for {@code peers} (the first is the base of the ratios) from Workloads' output lines. */
    static String render(List<String> lines, List<String> peers) {
        Map<String, Map<String, Cell>> rows = new LinkedHashMap<>(); // "workload metric threads" -> peer -> cell
        java.util.Set<String> failed = new java.util.HashSet<>(); // "workload metric threads peer"
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].equals("%") && f[1].equals("unsupported")) {
                put(rows, f[3] + " " + f[4] + " " + f[5], f[2], new Cell(Double.NaN, Double.NaN, "not supported yet"));
            } else if (f.length >= 7 && f[0].equals("%") && f[1].equals("check") && f[2].equals("FAIL")) {
                failed.add(f[4] + " " + f[5] + " " + f[6] + " " + f[3]);
            } else if (f.length > 6 && f[0].equals("#") && f[5].startsWith("median_ms=")) {
                String key = f[2] + " " + f[3] + " " + f[4];
                put(rows, key, f[1], new Cell(Double.parseDouble(value(f, "median_ms")), Double.parseDouble(value(f, "p10_ms")), null));
            }
        }
        StringBuilder sb = new StringBuilder();
        String base = peers.get(0);
        sb.append("| workload | metric | threads | ").append(base).append(" median ms | ").append(base).append(" p10 ms |");
        for (String p : peers.subList(1, peers.size()))
            sb.append(' ').append(p).append(" median ms | ").append(p).append(" p10 ms | ").append(p).append('/').append(base)
                    .append(" (median) | ").append(p).append('/').append(base).append(" (p10) |");
        sb.append('\n').append("|---|---|---|---:|---:|");
        for (int i = 1; i < peers.size(); i++) sb.append("---:|---:|---:|---:|");
        sb.append('\n');
        for (Map.Entry<String, Map<String, Cell>> row : rows.entrySet()) {
            String[] k = row.getKey().split(" ");
            sb.append("| ").append(k[0]).append(" | ").append(k[1]).append(" | ").append(k[2]).append(" |");
            Cell b = cell(row.getValue().get(base), failed, row.getKey(), base);
            sb.append(ms(b, true)).append(ms(b, false));
            for (String p : peers.subList(1, peers.size())) {
                Cell c = cell(row.getValue().get(p), failed, row.getKey(), p);
                sb.append(ms(c, true)).append(ms(c, false)).append(ratio(c, b, true)).append(ratio(c, b, false));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void put(Map<String, Map<String, Cell>> rows, String key, String peer, Cell c) {
        rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(peer, c);
    }

    /** The cell, marked when its check failed; a missing one stays null (not run). */
    private static Cell cell(Cell c, java.util.Set<String> failed, String key, String peer) {
        if (c == null || !failed.contains(key + " " + peer)) return c;
        return new Cell(c.median(), c.p10(), "check FAILED");
    }

    private static String ms(Cell c, boolean median) {
        if (c == null) return " - |";
        if (c.note() != null && Double.isNaN(c.median())) return " " + c.note() + " |";
        String v = String.format(Locale.ROOT, " %.3f", median ? c.median() : c.p10());
        return (c.note() != null && median ? v + " (" + c.note() + ")" : v) + " |";
    }

    private static String ratio(Cell c, Cell base, boolean median) {
        if (c == null || base == null || Double.isNaN(c.median()) || Double.isNaN(base.median())) return " - |";
        double r = median ? c.median() / base.median() : c.p10() / base.p10();
        return String.format(Locale.ROOT, " %.2f |", r);
    }

    private static String value(String[] f, String name) {
        for (String s : f) if (s.startsWith(name + "=")) return s.substring(name.length() + 1);
        return "NaN";
    }
}
