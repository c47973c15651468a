package dev.burst.container.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code run/master.pid}: which process is the master of a run directory, so a second burst started on
 * the same directory is refused while the first is alive, and {@code bin/burst} can signal it.
 *
 * <p>Claimed once at start and released at exit by the master's main thread.
 */
public final class PidFile {

    private static final System.Logger LOG = System.getLogger(PidFile.class.getName());

    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** The pid file names another live process: burst already runs on this run directory. */
    public static final class HeldException extends IOException {
        private final long holder;

        HeldException(Path path, long holder) {
            super("burst is already running here (pid " + holder + ", " + path
                    + "); stop it first or use another burst.run.dir");
            this.holder = holder;
        }

        /** @return the pid of the live process that holds the file */
        public long holder() {
            return holder;
        }
    }

    /**
     * Writes this process's pid into the file, unless a live process other than this one holds it. A file
     * left behind by a dead process (a crash, a kill -9), or one that does not hold a pid, is replaced.
     *
     * @param path the pid file
     * @return the claimed file
     * @throws HeldException when a live process holds it
     * @throws IOException   when it cannot be read or written (the message names the path)
     */
    public static PidFile claim(Path path) throws IOException {
        long self = ProcessHandle.current().pid();
        byte[] text = (self + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(path, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new PidFile(path, self);
        } catch (FileAlreadyExistsException e) {
            // Someone was here before: find out whether it is still alive.
        }
        Optional<Long> holder = read(path);
        if (holder.isPresent() && holder.get() != self
                && ProcessHandle.of(holder.get()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new HeldException(path, holder.get());
        }
        if (holder.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "replacing " + path + ", which holds no pid");
        }
        Files.write(path, text);
        return new PidFile(path, self);
    }

    private static Optional<Long> read(Path path) throws IOException {
        try {
            return Optional.of(Long.parseLong(new String(Files.readAllBytes(path), StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** Removes the file, if it still names this process (an operator may have removed or replaced it). */
    public void release() {
        try {
            if (Files.exists(path) && read(path).filter(p -> p == pid).isPresent()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + path + ": " + e.getMessage());
        }
    }
}
