package dlc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * What a model's last compilation read and wrote, kept in {@code target/dlc}: the SHA-256 of its
 * inputs (the .dl file, the other .dl files it may import, the checkpoint, the options) on the first line, then the entries it wrote.
 * A model is up to date when the hash matches and every entry is still there.
 */
final class Stamp {
    private final Path path;

    Stamp(Path path) { this.path = path; }

    /** The hash of the options, the .dl file's bytes and the checkpoint's (when there is one). */
    static String hash(String options, Path dl, Path weights) throws IOException {
        MessageDigest md = sha256();
        md.update(options.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Files.readAllBytes(dl));
        if (weights != null) {
            md.update((byte) 0);
            md.update(Files.readAllBytes(weights));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The hash of every file's name (relative to {@code root}) and bytes. */
    static String hashTree(Path root, List<Path> files) throws IOException {
        MessageDigest md = sha256();
        for (Path f : files) {
            md.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(Files.readAllBytes(f));
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    boolean upToDate(String hash, Path out) throws IOException {
        List<String> lines = lines();
        if (lines.isEmpty() || !lines.get(0).equals(hash)) return false;
        for (String entry : lines.subList(1, lines.size()))
            if (!Files.isRegularFile(out.resolve(entry))) return false;
        return true;
    }

    /** Deletes what the last compilation wrote, so a renamed class does not linger. */
    void removeOutputs(Path out) throws IOException {
        List<String> lines = lines();
        for (String entry : lines.isEmpty() ? List.<String>of() : lines.subList(1, lines.size())) Files.deleteIfExists(out.resolve(entry));
        Files.deleteIfExists(path);
    }

    void write(String hash, Collection<String> entries) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(hash);
        lines.addAll(entries);
        Files.write(path, lines, StandardCharsets.UTF_8);
    }

    private List<String> lines() throws IOException {
        return Files.exists(path) ? Files.readAllLines(path, StandardCharsets.UTF_8) : List.of();
    }
}
