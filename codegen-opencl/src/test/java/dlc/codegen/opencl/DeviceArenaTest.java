package dlc.codegen.opencl;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The device arena: layout checks, transfers at offsets, and running out of device memory. */
class DeviceArenaTest {
    @Test void layoutsPackAlignedAndRejectRangesOutside() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("a", 12L);
        sizes.put("b", 40L);
        sizes.put("c", 0L);
        ArenaLayout packed = ArenaLayout.packed(sizes);
        assertEquals(0, packed.slice("a").offsetBytes());
        assertEquals(16, packed.slice("b").offsetBytes());
        assertEquals(64, packed.slice("c").offsetBytes());
        assertEquals(64, packed.totalBytes());
        assertEquals(4, packed.slice("b").elementOffset(Float.BYTES));
        assertEquals("slice 'x' (bytes 48 to 80) does not fit the arena of 64 bytes", assertThrows(IllegalArgumentException.class,
                () -> new ArenaLayout(64, Map.of("x", new ArenaLayout.Slice("x", 48, 32)))).getMessage());
        assertEquals("slice 'x' starts at byte 8, not a multiple of 16", assertThrows(IllegalArgumentException.class,
                () -> new ArenaLayout(64, Map.of("x", new ArenaLayout.Slice("x", 8, 8)))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArenaLayout(64, Map.of("x", new ArenaLayout.Slice("x", Long.MAX_VALUE - 15, 32))));
        assertEquals("the arena has no slice 'z' (it has [a, b, c])", assertThrows(IllegalArgumentException.class, () -> packed.slice("z")).getMessage());
        // a plan reuses memory: ranges that are never live together overlap
        ArenaLayout overlapping = new ArenaLayout(64, Map.of("p", new ArenaLayout.Slice("p", 0, 64), "q", new ArenaLayout.Slice("q", 16, 16)));
        assertEquals(16, overlapping.slice("q").offsetBytes());
    }

    @Test void anArenaStartsZeroedAndTransfersLandAtTheirOffsets() {
        ClExecutor ex = OpenClTestSupport.executor();
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("a", 3L * Float.BYTES);
        sizes.put("b", 5L * Float.BYTES);
        ArenaLayout layout = new ArenaLayout(64, Map.of("a", new ArenaLayout.Slice("a", 0, 12), "b", new ArenaLayout.Slice("b", 32, 20),
                "all", new ArenaLayout.Slice("all", 0, 64)));
        try (DeviceArena arena = ex.arena("t", layout)) {
            float[] all = new float[16];
            java.util.Arrays.fill(all, -1);
            ex.download(arena, arena.slice("all"), all);
            assertArrayEquals(new float[16], all, "zero-filled");
            ex.upload(arena, arena.slice("a"), new float[]{1, 2, 3});
            ex.upload(arena, arena.slice("b"), new float[]{4, 5, 6, 7, 8});
            ex.download(arena, arena.slice("all"), all);
            assertArrayEquals(new float[]{1, 2, 3, 0, 0, 0, 0, 0, 4, 5, 6, 7, 8, 0, 0, 0}, all);
            assertEquals("24 bytes do not fit slice 'a' of 12 bytes",
                    assertThrows(IllegalArgumentException.class, () -> ex.upload(arena, arena.slice("a"), new float[6])).getMessage());
        }
    }

    @Test void moreThanTheDeviceHoldsIsOneLineNamingTheBufferAndSize() {
        ClExecutor ex = OpenClTestSupport.executor();
        long tooBig = ex.device().maxAllocBytes() + 4096;
        OpenClException e = assertThrows(OpenClException.class,
                () -> ex.arena("params", new ArenaLayout(tooBig, Map.of())));
        String m = e.getMessage();
        assertTrue(m.startsWith("out of device memory: buffer params needs " + Units.bytes(tooBig) + " on " + ex.device().describe()), m);
        assertTrue(m.contains("the device allows at most " + Units.bytes(ex.device().maxAllocBytes()) + " in one buffer"), m);
        assertFalse(m.contains("\n"));
    }

    @Test void sizesReadAsPeopleReadThem() {
        assertEquals("96 bytes", Units.bytes(96));
        assertEquals("8.0 GiB (8589934592 bytes)", Units.bytes(8L << 30));
        assertEquals("1.5 KiB", Units.compact(1536));
    }
}
