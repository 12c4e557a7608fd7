package dlc.codegen.opencl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each tensor lives in the one device buffer: a total size and named byte ranges. A memory
 * plan hands over the offsets (ranges of values that are never live at once may overlap, so
 * overlap is allowed); {@link #packed} lays ranges end to end for callers without a plan.
 */
public record ArenaLayout(long totalBytes, Map<String, Slice> slices) {
    /** Kernels address tensors by element offsets into the arena, so ranges start on this many bytes. */
    public static final int ALIGN = 16;

    /** One named range of the arena. */
    public record Slice(String name, long offsetBytes, long bytes) {
        /** The offset in elements of {@code elementBytes}, as kernels take it. */
        public long elementOffset(int elementBytes) {
            if (offsetBytes % elementBytes != 0)
                throw new IllegalArgumentException("slice '" + name + "' at byte " + offsetBytes + " is not aligned to " + elementBytes + "-byte elements");
            return offsetBytes / elementBytes;
        }
    }

    public ArenaLayout {
        if (totalBytes <= 0) throw new IllegalArgumentException("an arena needs a positive size, got " + totalBytes);
        slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
        for (Slice s : slices.values()) {
            if (s.offsetBytes() < 0 || s.bytes() < 0 || s.offsetBytes() > totalBytes - s.bytes())
                throw new IllegalArgumentException("slice '" + s.name() + "' (bytes " + s.offsetBytes() + " to " + (s.offsetBytes() + s.bytes())
                        + ") does not fit the arena of " + totalBytes + " bytes");
            if (s.offsetBytes() % ALIGN != 0)
                throw new IllegalArgumentException("slice '" + s.name() + "' starts at byte " + s.offsetBytes() + ", not a multiple of " + ALIGN);
        }
    }

    /** The slice called {@code name}. */
    public Slice slice(String name) {
        Slice s = slices.get(name);
        if (s == null) throw new IllegalArgumentException("the arena has no slice '" + name + "' (it has " + slices.keySet() + ")");
        return s;
    }

    /** Ranges of the given sizes end to end, each aligned, in the order given. */
    public static ArenaLayout packed(Map<String, Long> sizes) {
        Map<String, Slice> out = new LinkedHashMap<>();
        long at = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            out.put(e.getKey(), new Slice(e.getKey(), at, e.getValue()));
            at += (e.getValue() + ALIGN - 1) / ALIGN * ALIGN;
        }
        return new ArenaLayout(Math.max(at, ALIGN), out);
    }
}
