package dev.burst.container.process;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The master's log file, when it has one ({@code burst.log.file}, set by {@code bin/burst start}): the
 * master's own output and its children's (piped through the master) go here, a whole line at a time.
 * {@link #reopen()} (on SIGUSR1) starts writing to a fresh file at the same path, so logrotate can move
 * the old one away.
 */
public final class LogSink {

    private final Path path;
    private OutputStream out;

    private LogSink(Path path) throws IOException {
        this.path = path;
        this.out = append(path);
    }

    /**
     * @param path the log file; its folder is created if missing
     * @return a sink appending to it
     * @throws IOException when it cannot be opened
     */
    public static LogSink open(Path path) throws IOException {
        return new LogSink(path);
    }

    private static OutputStream append(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        return new FileOutputStream(path.toFile(), true);
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /**
     * Writes bytes that end at a line boundary, in one piece.
     *
     * @param b   the bytes
     * @param off start
     * @param len length
     */
    public synchronized void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
            out.flush();
        } catch (IOException e) {
            // Nowhere left to report it: the log itself failed. Keep the process serving.
        }
    }

    /**
     * Closes the current file and opens the path again (logrotate's "postrotate" sends SIGUSR1).
     *
     * @throws IOException when the path cannot be opened; the old file stays in use
     */
    public synchronized void reopen() throws IOException {
        OutputStream fresh = append(path);
        OutputStream old = out;
        out = fresh;
        old.close();
    }

    /** @return an output stream that buffers up to each line end, then writes the line to the sink */
    public OutputStream lineStream() {
        return new OutputStream() {
            private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);

            @Override
            public synchronized void write(int b) {
                line.write(b);
                if (b == '\n') {
                    flush();
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }

            @Override
            public synchronized void flush() {
                if (line.size() > 0) {
                    LogSink.this.write(line.toByteArray(), 0, line.size());
                    line.reset();
                }
            }
        };
    }
}
