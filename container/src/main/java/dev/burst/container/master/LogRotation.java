package dev.burst.container.master;

import dev.burst.container.process.LogSink;
import java.io.IOException;
import java.util.Optional;

/**
 * SIGUSR1, logrotate's "postrotate": the log file was moved away, write to a fresh one at the same path.
 * The master only asks; the file belongs to the {@link LogSink}. Runs on the master's loop thread.
 */
@FunctionalInterface
interface LogRotation {

    /** Reopens the log file, and logs what happened. */
    void reopen();

    /**
     * @param sink the master's log file; empty when it logs to stderr
     * @return the rotation of that file (a no-op that says so when there is none)
     */
    static LogRotation of(Optional<LogSink> sink) {
        System.Logger log = System.getLogger(LogRotation.class.getName());
        if (sink.isEmpty()) {
            return () -> log.log(System.Logger.Level.INFO, "SIGUSR1: no burst.log.file to reopen (logging to stderr)");
        }
        LogSink file = sink.get();
        return () -> {
            try {
                file.reopen();
                log.log(System.Logger.Level.INFO, "SIGUSR1: reopened " + file.path());
            } catch (IOException e) {
                log.log(System.Logger.Level.ERROR, "SIGUSR1: cannot reopen " + file.path() + ": " + e.getMessage());
            }
        };
    }
}
