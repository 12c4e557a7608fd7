package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Program builds: the on-disk binary cache (hit, corrupt entry, unwritable directory) and a kernel that does not compile. */
class ProgramBuildTest {
    /** A program unique to this test run, so the driver's own caches cannot answer for it. */
    private static ProgramSource scale(String tag) {
        return new ProgramSource("scale.cl", "// " + tag + "\n__kernel void scale(__global float* x, const ulong off, const float s) {\n"
                + "    x[off + get_global_id(0)] *= s * FACTOR;\n}\n", Map.of("FACTOR", "2.0f"));
    }

    /** Runs the program's kernel on {1, 2, 3}: a binary from the cache must work, not just load. */
    private static void assertRuns(ClExecutor ex, ClProgram p) {
        try (DeviceArena arena = ex.arena("x", ArenaLayout.packed(Map.of("x", 32L)))) {
            ex.upload(arena, arena.slice("x"), new float[]{1, 2, 3});
            ex.launch(p.kernel("scale").arg(0, arena).arg(1, 0L).arg(2, 1.5f), new long[]{3}, null);
            float[] out = new float[3];
            ex.download(arena, arena.slice("x"), out);
            assertArrayEquals(new float[]{3, 6, 9}, out);
        }
    }

    @Test void aSecondExecutorReadsTheBinaryFromTheCacheAndACorruptEntryIsRebuilt(@TempDir Path dir) throws Exception {
        ClDevice device = OpenClTestSupport.device();
        ClExecutor.Options options = new ClExecutor.Options(dir.resolve("cache"), dir.resolve("logs"));
        ProgramSource source = scale("cache " + System.nanoTime());
        Path entry = new ProgramCache(options.cacheDir()).file(ProgramCache.key(device, source));

        try (ClExecutor first = ClExecutor.open(device, options)) {
            ClProgram p = first.program(source);
            assertFalse(p.fromCache());
            assertSame(p, first.program(source), "an executor builds a program once");
            assertRuns(first, p);
        }
        assertTrue(Files.size(entry) > 0, "the binary was stored at " + entry);

        try (ClExecutor second = ClExecutor.open(device, options)) {
            ClProgram p = second.program(source);
            assertTrue(p.fromCache(), "the second executor reads the cached binary");
            assertRuns(second, p);
        }

        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x5A; // one flipped byte in the binary
        Files.write(entry, bytes);
        try (ClExecutor third = ClExecutor.open(device, options)) {
            ClProgram p = third.program(source);
            assertFalse(p.fromCache(), "a corrupt entry is rebuilt from source");
            assertRuns(third, p);
        }
        Files.write(entry, new byte[]{1, 2, 3}); // truncated to garbage
        try (ClExecutor fourth = ClExecutor.open(device, options)) {
            assertFalse(fourth.program(source).fromCache());
        }
        try (ClExecutor fifth = ClExecutor.open(device, options)) {
            assertTrue(fifth.program(source).fromCache(), "the rebuilt entry is stored again");
        }
    }

    @Test void theCacheKeyDependsOnSourceOptionsAndDevice() {
        ClDevice device = OpenClTestSupport.device();
        ProgramSource a = scale("key"), b = scale("key2");
        ProgramSource aOther = new ProgramSource(a.name(), a.source(), Map.of("FACTOR", "3.0f"));
        ClDevice renamed = new ClDevice(device.index(), device.platformIndex(), device.platformName(), device.name() + " v2", device.type(),
                device.computeUnits(), device.globalMemBytes(), device.maxAllocBytes(), device.localMemBytes(), device.maxWorkGroupSize(),
                device.openclVersion(), device.driverVersion(), device.fp64(), device.platformId(), device.deviceId());
        String key = ProgramCache.key(device, a);
        assertEquals(key, ProgramCache.key(device, scale("key")));
        assertEquals(List.of(false, false, false), List.of(key.equals(ProgramCache.key(device, b)),
                key.equals(ProgramCache.key(device, aOther)), key.equals(ProgramCache.key(renamed, a))));
    }

    @Test void anUnwritableCacheDirectoryOnlyCostsTheCache(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x"); // a file where the directory should be
        try (ClExecutor ex = ClExecutor.open(OpenClTestSupport.device(), new ClExecutor.Options(notADir.resolve("cache"), dir))) {
            ClProgram p = ex.program(scale("unwritable " + System.nanoTime()));
            assertFalse(p.fromCache());
            assertRuns(ex, p);
        }
    }

    @Test void aKernelWithASyntaxErrorNamesTheErrorAndTheLogFile(@TempDir Path dir) throws Exception {
        ClDevice device = OpenClTestSupport.device();
        ProgramSource broken = new ProgramSource("broken.cl",
                "__kernel void broken(__global float* x) {\n    x[get_global_id(0)] = 1.0f +;\n}\n", Map.of());
        try (ClExecutor ex = ClExecutor.open(device, new ClExecutor.Options(dir.resolve("cache"), dir.resolve("logs")))) {
            OpenClException e = assertThrows(OpenClException.class, () -> ex.program(broken));
            String m = e.getMessage();
            assertFalse(m.contains("\n"), m);
            assertTrue(m.startsWith("OpenCL program broken.cl failed to build on " + device.describe() + ": "), m);
            int at = m.indexOf("; build log: ");
            assertTrue(at > 0, m);
            Path log = Path.of(m.substring(at + "; build log: ".length()));
            assertTrue(log.startsWith(dir.resolve("logs")), m);
            String text = Files.readString(log);
            assertTrue(text.contains("error"), text);
            assertTrue(text.contains("    2      x[get_global_id(0)] = 1.0f +;"), "the log carries the numbered source:\n" + text);
            assertTrue(text.contains("options: -cl-std=CL1.2"), text);
            assertFalse(Files.exists(dir.resolve("cache")) && Files.list(dir.resolve("cache")).findAny().isPresent(), "nothing cached");
        }
    }

    @Test void anUnknownKernelNameIsOneLineNamingTheCode() {
        ClExecutor ex = OpenClTestSupport.executor();
        ClProgram p = ex.program(scale("kernel name"));
        assertEquals("creating kernel scal of program scale.cl failed: CL_INVALID_KERNEL_NAME (-46)",
                assertThrows(OpenClException.class, () -> p.kernel("scal")).getMessage());
    }

    @Test void aClosedExecutorRefusesWorkInsteadOfCrashing(@TempDir Path dir) {
        ClExecutor ex = ClExecutor.open(OpenClTestSupport.device(), new ClExecutor.Options(dir, dir));
        ClKernel k = ex.program(scale("closed " + System.nanoTime())).kernel("scale");
        DeviceArena arena = ex.arena("x", ArenaLayout.packed(Map.of("x", 32L)));
        ex.close();
        ex.close(); // twice: nothing happens
        assertThrows(IllegalStateException.class, () -> k.arg(2, 1f));
        assertThrows(IllegalStateException.class, () -> k.arg(0, arena));
        assertThrows(IllegalStateException.class, () -> ex.upload(arena, arena.slice("x"), new float[1]));
        assertThrows(IllegalStateException.class, () -> ex.launch(k, new long[]{1}, null));
        assertTrue(assertThrows(IllegalStateException.class, () -> ex.finish()).getMessage().endsWith("is closed"));
    }

    @Test void firstErrorPicksTheCompilersErrorLine() {
        assertEquals("<source>:2:30: error: expected expression",
                ProgramBuilder.firstError("\n<source>:1:1: warning: unused\n<source>:2:30: error: expected expression\n  x +;\n"));
        assertEquals("something odd", ProgramBuilder.firstError("something odd\nmore"));
        assertEquals("the compiler printed nothing", ProgramBuilder.firstError("  \n"));
    }
}
