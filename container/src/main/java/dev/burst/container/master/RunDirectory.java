package dev.burst.container.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The run directory ({@code burst.run.dir}) holds the control socket, the workers' socket, the admin token
 * and the pid file: it is private to burst's user, mode 0700, whatever the umask it was started with.
 * Runs on the master's main thread, once, before anything is created in it.
 */
final class RunDirectory {

    private static final System.Logger LOG = System.getLogger(RunDirectory.class.getName());
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private RunDirectory() {
    }

    /**
     * Creates the directory with mode 0700, or tightens an existing one of this user to 0700 (one that
     * belongs to another user keeps its mode, with a warning).
     *
     * @param dir the run directory
     * @throws IOException when it cannot be created, or made private (the message names it)
     */
    static void prepare(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile (or a file of that name): checked below
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("the run directory " + dir + " is not a directory");
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir);
        if (now.equals(PRIVATE)) {
            return;
        }
        String owner = Files.getOwner(dir).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            LOG.log(System.Logger.Level.WARNING, "the run directory " + dir + " belongs to " + owner + ", not to "
                    + System.getProperty("user.name") + "; its mode stays " + PosixFilePermissions.toString(now)
                    + " (burst makes a directory of its own private: 0700)");
            return;
        }
        try {
            Files.setPosixFilePermissions(dir, PRIVATE);
        } catch (IOException e) {
            throw new IOException("cannot make the run directory " + dir + " private (mode 0700; it is "
                    + PosixFilePermissions.toString(now) + "): " + e, e);
        }
        LOG.log(System.Logger.Level.INFO, "made the run directory " + dir + " private: mode 0700, was "
                + PosixFilePermissions.toString(now));
    }
}
