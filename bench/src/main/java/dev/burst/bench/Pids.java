package dev.burst.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The processes the benchmark started, appended to a file as "PID WHAT" lines as they appear, so that
 * bench/run.sh's trap can stop them by PID even if the benchmark's own JVM is killed.
 */
final class Pids {

    private final Optional<Path> file;

    Pids(Optional<Path> file) {
        this.file = file;
    }

    synchronized void add(long pid, String what) {
        if (file.isEmpty()) {
            return;
        }
        try {
            Files.writeString(file.get(), pid + " " + what + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("bench: cannot record pid " + pid + " in " + file.get() + ": " + e.getMessage());
        }
    }
}
