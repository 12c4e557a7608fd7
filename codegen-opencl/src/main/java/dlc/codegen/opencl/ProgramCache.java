package dlc.codegen.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Built program binaries on disk, keyed by the device (platform, name, OpenCL and driver
 * versions) and the SHA-256 of the source and build options, so a second run skips the OpenCL C
 * compiler. An entry is a header, the SHA-256 of the binary and the binary: an entry that is
 * truncated or altered fails that check and is rebuilt, and is never handed to the driver. The
 * cache is an optimization: a directory that cannot be written is skipped, not an error.
 */
final class ProgramCache {
    private static final byte[] MAGIC = "dlc-opencl-binary-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HASH_BYTES = 32;

    private final Path dir;

    ProgramCache(Path dir) { this.dir = dir; }

    /** The key of {@code program} built for {@code device}: hex SHA-256 of everything the binary depends on. */
    static String key(ClDevice device, ProgramSource program) {
        MessageDigest md = sha256();
        for (String part : new String[]{device.platformName(), device.name(), device.openclVersion(),
                device.driverVersion(), program.options(), program.source()}) {
            md.update(part.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    Path file(String key) { return dir.resolve(key + ".bin"); }

    /** The stored binary, or empty when there is none or it fails its check (then it is deleted). */
    Optional<byte[]> load(String key) {
        Path f = file(key);
        byte[] all;
        try {
            if (!Files.isRegularFile(f)) return Optional.empty();
            all = Files.readAllBytes(f);
        } catch (IOException e) {
            return Optional.empty();
        }
        int head = MAGIC.length + HASH_BYTES;
        if (all.length <= head || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || !Arrays.equals(sha256().digest(Arrays.copyOfRange(all, head, all.length)), Arrays.copyOfRange(all, MAGIC.length, head))) {
            discard(key);
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOfRange(all, head, all.length));
    }

    /** Stores {@code binary} atomically (a reader never sees half an entry); failures are ignored. */
    void store(String key, byte[] binary) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            try {
                byte[] all = new byte[MAGIC.length + HASH_BYTES + binary.length];
                System.arraycopy(MAGIC, 0, all, 0, MAGIC.length);
                System.arraycopy(sha256().digest(binary), 0, all, MAGIC.length, HASH_BYTES);
                System.arraycopy(binary, 0, all, MAGIC.length + HASH_BYTES, binary.length);
                Files.write(tmp, all);
                Files.move(tmp, file(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // a read-only or full cache directory costs the next run a rebuild, nothing more
        }
    }

    /** Removes an entry the driver rejected or that failed its check. */
    void discard(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            // the next store replaces it
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
