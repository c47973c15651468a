package dev.burst.container.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * {@code run/degraded}: one line per degraded group, {@code group: why}, so {@code bin/burst status} can
 * say "running, degraded: ..." without asking burst. Absent while every group is healthy. Written on the
 * master's loop thread.
 */
final class DegradedFile {

    private static final System.Logger LOG = System.getLogger(DegradedFile.class.getName());

    private final Path path;

    DegradedFile(Path runDir) {
        this.path = runDir.resolve("degraded");
    }

    /** @return the file */
    Path path() {
        return path;
    }

    /**
     * Writes the degraded groups (whole, never a half-written file), or removes the file when there are none.
     *
     * @param degraded group -> why
     */
    void write(Map<String, String> degraded) {
        try {
            if (degraded.isEmpty()) {
                Files.deleteIfExists(path);
                return;
            }
            StringBuilder text = new StringBuilder();
            degraded.forEach((group, why) -> text.append(group).append(": ").append(why.replaceAll("[\\r\\n]+", " "))
                    .append('\n'));
            Path tmp = path.resolveSibling("degraded.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + path + ": " + e);
        }
    }
}
