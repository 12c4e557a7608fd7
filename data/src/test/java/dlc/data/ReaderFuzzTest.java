package dlc.data;

import dlc.checkpoint.Checkpoint;
import dlc.checkpoint.CheckpointException;
import dlc.checkpoint.SafeTensors;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A byte fuzzer for every file reader that takes user files: .npy (the runtime's codec, as model
 * jars use it, and dlc.data.NpyFiles over it, as dlc run does), .safetensors, IDX (plain and gzipped) and CSV.
 * Valid files are mutated (bytes flipped, set to syntax characters, inserted, deleted, duplicated,
 * truncated, numbers in headers made huge); every outcome must be a value or the reader's documented
 * exception (IllegalArgumentException from the runtime codec; DataException from NpyFiles, CheckpointException,
 * DataException from the others), never an internal error (NullPointerException, an index out of
 * bounds, NegativeArraySizeException, OutOfMemoryError, StackOverflowError, ...). A failure prints
 * the seed, the case and the smallest input (by deleting chunks) that still fails.
 *
 * <p>CI runs {@value #DEFAULT_CASES} cases per reader from the fixed seed {@value #DEFAULT_SEED}
 * ({@code -Pthorough} ten times as many).
 * Before a change to a reader lands, run many more from fresh seeds:
 * {@code mvn -o -q test -pl data -am -Dtest=ReaderFuzzTest -Ddlc.fuzz.cases=200000 -Ddlc.fuzz.seed=$RANDOM}.
 */
class ReaderFuzzTest {
    static final int DEFAULT_CASES = 1500;
    static final long DEFAULT_SEED = 20261206L;

    /** {@code -Ddlc.fuzz.cases=N}, else the default times {@code -Dpbt.tries.factor} (the thorough profile's 10x). */
    private static final int CASES = Integer.getInteger("dlc.fuzz.cases", DEFAULT_CASES * Math.max(1, Integer.getInteger("pbt.tries.factor", 1)));
    private static final long SEED = Long.getLong("dlc.fuzz.seed", DEFAULT_SEED);
    private static final Path FILE = Path.of("fuzz.bin");

    /** A reader under test: returns normally or throws; {@link #allowed} says which exceptions are its documented ones. */
    interface Reader {
        void read(byte[] bytes) throws Exception;
    }

    // ---- the readers -----------------------------------------------------------------------------

    @Test void runtimeNpyCodec() {
        fuzz("runtime .npy", npySeeds(), b -> dlc.runtime.Npy.decode(b), IllegalArgumentException.class);
    }

    @Test void dataNpyAndColumns() {
        fuzz("dlc.data .npy", npySeeds(), b -> {
            NpyFiles.decode(FILE, b);
            NpyFiles.decodeColumn(FILE, b, "x");
        }, DataException.class);
    }

    @Test void safetensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("dense.w", new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, 2, 3, 4, 5, 6}));
        t.put("dense.b", new Tensor(DType.I64, new int[]{3}, new double[]{-1, 0, 7}));
        t.put("flag", new Tensor(DType.BOOL, new int[0], new double[]{1}));
        byte[] a = SafeTensors.encode(new Checkpoint(t, Map.of("dlc.model", "M", "dlc.epoch", "3")));
        byte[] b = SafeTensors.encode(new Checkpoint(Map.of("x", new Tensor(DType.F64, new int[]{1}, new double[]{0.5})), Map.of()));
        fuzz("safetensors", List.of(a, b), bytes -> SafeTensors.decode(bytes, "fuzz.safetensors"), CheckpointException.class);
    }

    @Test void idxPlainAndGzipped() {
        byte[] images = Idx.encode(Idx.Type.UBYTE, new int[]{3, 2, 2}, new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255});
        byte[] labels = Idx.encode(Idx.Type.UBYTE, new int[]{3}, new double[]{1, 2, 9});
        byte[] floats = Idx.encode(Idx.Type.DOUBLE, new int[]{2}, new double[]{0.5, -1});
        List<byte[]> seeds = List.of(images, labels, floats, gzip(images), gzip(labels));
        fuzz("IDX", seeds, b -> {
            Idx.Array a = Idx.decode(b, "fuzz.idx");
            a.floats();
            if (a.type() != Idx.Type.FLOAT && a.type() != Idx.Type.DOUBLE) a.ints();
        }, DataException.class);
        // the inner bytes fuzzed behind a valid gzip layer (the gzip-bomb path reads the inner header)
        fuzz("gzipped IDX", List.of(images, labels), b -> Idx.decode(gzip(b), "fuzz.idx.gz"), DataException.class);
    }

    @Test void csv() {
        List<byte[]> seeds = List.of(
                "a,b,label\n1,2,0\n3.5,-4,1\n5e3,6,2\n".getBytes(StandardCharsets.UTF_8),
                "x1;x2;kind\n1;2;cat\n3;4;dog\n".getBytes(StandardCharsets.UTF_8),
                "1,2,0.5\n3,4,1.5\n\"5\",6,2\n".getBytes(StandardCharsets.UTF_8));
        fuzz("CSV", seeds, b -> {
            String text = Csv.utf8(b, "fuzz.csv");
            Csv.parse(text, "fuzz.csv", "fuzz", Csv.Options.defaults());
            Csv.parse(text, "fuzz.csv", "fuzz", Csv.Options.defaults().delimiter(';'));
            Csv.parse(text, "fuzz.csv", "fuzz", Csv.Options.defaults().noLabel());
        }, DataException.class);
    }

    // ---- seeds -----------------------------------------------------------------------------------

    private static List<byte[]> npySeeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(NpyFiles.encode(new Tensor(DType.F32, new int[]{2, 3}, new double[]{1, -2, 3.5, 0, 5, 6})));
        s.add(NpyFiles.encode(new Tensor(DType.I64, new int[]{3}, new double[]{-1, 0, 1L << 40})));
        s.add(NpyFiles.encode(Tensor.scalar(DType.F64, 0.25)));
        s.add(NpyFiles.encode(new Tensor(DType.BOOL, new int[]{0, 4}, new double[0])));
        // format 2.0 and 3.0 with a big-endian u2 (the header text written by hand, as NumPy would)
        s.add(npy(2, "{'descr': '>u2', 'fortran_order': False, 'shape': (2,), }", new byte[]{0, 1, (byte) 0xff, (byte) 0xfe}));
        s.add(npy(3, "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (1L, 2L)}", new byte[]{7, 8}));
        return s;
    }

    static byte[] npy(int major, String header, byte[] data) {
        byte[] h = (header + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) out.writeBytes(new byte[]{(byte) h.length, (byte) (h.length >> 8)});
        else out.writeBytes(new byte[]{(byte) h.length, (byte) (h.length >> 8), 0, 0});
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    // ---- the fuzzer ------------------------------------------------------------------------------

    private static final byte[] INTERESTING = "(),[]{}:'\"-0123456789LTF \n\\".getBytes(StandardCharsets.US_ASCII);
    private static final String[] HUGE = {"99999999999999999999", "2147483648", "4294967296", "1073741824", "-1", "0", "65535"};

    private static void fuzz(String what, List<byte[]> seeds, Reader reader, Class<? extends Exception> allowed) {
        Random r = new Random(SEED ^ what.hashCode());
        for (byte[] s : seeds) check(what, -1, s, reader, allowed); // the seeds themselves read cleanly or fail cleanly
        for (int i = 0; i < CASES; i++) {
            byte[] in = mutate(seeds.get(r.nextInt(seeds.size())), r);
            check(what, i, in, reader, allowed);
        }
    }

    private static void check(String what, int index, byte[] in, Reader reader, Class<? extends Exception> allowed) {
        Throwable t = outcome(in, reader, allowed);
        if (t == null) return;
        byte[] small = minimize(in, reader, allowed);
        fail(what + " reader, seed " + SEED + ", case " + index + ": " + t + "\n  smallest failing input (" + small.length + " bytes): "
                + HexFormat.of().formatHex(small, 0, Math.min(small.length, 400)) + "\n  as text: "
                + new String(small, 0, Math.min(small.length, 400), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "."), t);
    }

    /** Null when {@code in} reads or fails with the documented exception (with a message); the offending throwable otherwise. */
    private static Throwable outcome(byte[] in, Reader reader, Class<? extends Exception> allowed) {
        try {
            reader.read(in);
            return null;
        } catch (Throwable t) {
            // NumberFormatException is an IllegalArgumentException, but from a reader it is a parse that was not guarded
            if (allowed.isInstance(t) && !(t instanceof NumberFormatException) && t.getMessage() != null && !t.getMessage().isBlank())
                return null;
            return t;
        }
    }

    /** Deletes chunks (halves down to single bytes) while the input still fails: a short input to look at. */
    private static byte[] minimize(byte[] in, Reader reader, Class<? extends Exception> allowed) {
        byte[] cur = in;
        for (int chunk = Math.max(1, cur.length / 2); chunk >= 1; chunk /= 2) {
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int at = 0; at + chunk <= cur.length; at += chunk) {
                    byte[] cand = new byte[cur.length - chunk];
                    System.arraycopy(cur, 0, cand, 0, at);
                    System.arraycopy(cur, at + chunk, cand, at, cur.length - at - chunk);
                    if (outcome(cand, reader, allowed) != null) {
                        cur = cand;
                        progress = true;
                        break;
                    }
                }
            }
        }
        return cur;
    }

    /** One to four random edits of a copy of {@code seed}. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            if (b.length == 0) b = new byte[]{(byte) r.nextInt(256)};
            int at = r.nextInt(b.length);
            switch (r.nextInt(9)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                case 3 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 4 -> { // insert random or syntax bytes
                    int n = 1 + r.nextInt(8);
                    byte[] ins = new byte[n];
                    for (int i = 0; i < n; i++) ins[i] = r.nextBoolean() ? (byte) r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)];
                    b = splice(b, at, 0, ins);
                }
                case 5 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(8)), new byte[0]); // delete
                case 6 -> { // duplicate a range, many times (deep nesting, long repeats)
                    int len = Math.min(b.length - at, 1 + r.nextInt(4));
                    byte[] range = Arrays.copyOfRange(b, at, at + len);
                    int times = r.nextInt(4) == 0 ? 2000 + r.nextInt(20000) : 1 + r.nextInt(4);
                    ByteArrayOutputStream rep = new ByteArrayOutputStream();
                    for (int i = 0; i < times; i++) rep.writeBytes(range);
                    b = splice(b, at, 0, rep.toByteArray());
                }
                case 7 -> { // replace a run of digits with an extreme number (dims, offsets, lengths in text headers)
                    int d = at;
                    while (d < b.length && (b[d] < '0' || b[d] > '9')) d++;
                    if (d == b.length) break;
                    int end = d;
                    while (end < b.length && b[end] >= '0' && b[end] <= '9') end++;
                    b = splice(b, d, end - d, HUGE[r.nextInt(HUGE.length)].getBytes(StandardCharsets.US_ASCII));
                }
                default -> { // set a little-endian or big-endian int field to an extreme value
                    int[] extremes = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 0xffff, 0};
                    int v = extremes[r.nextInt(extremes.length)];
                    for (int k = 0; k < 4 && at + k < b.length; k++) b[at + k] = (byte) (r.nextBoolean() ? v >> (8 * k) : v >> (8 * (3 - k)));
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
