package dlc.codegen.opencl;

import java.util.Locale;

/** Sizes as people read them in messages and listings. */
final class Units {
    private Units() {}

    /** e.g. {@code 8.0 GiB (8589934592 bytes)}, or {@code 96 bytes} below a KiB. */
    static String bytes(long n) {
        if (n < 1024) return n + " bytes";
        return compact(n) + " (" + n + " bytes)";
    }

    /** e.g. {@code 21.5 GiB}, {@code 1.0 MiB}, {@code 512 bytes}. */
    static String compact(long n) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (n < 1024) return n + " bytes";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
