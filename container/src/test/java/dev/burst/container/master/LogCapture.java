package dev.burst.container.master;

import dev.burst.container.process.Logs;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines the master's package logs while a test runs (java.util.logging, which System.Logger uses). */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.burst.container.master");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        // System.Logger goes through jboss-modules' logger finder, which holds messages until activated.
        Logs.setUp("test");
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }

    /** @return every message logged, in order */
    List<String> lines() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /** @return the messages that contain the text */
    List<String> lines(String containing) {
        return lines().stream().filter(l -> l.contains(containing)).toList();
    }

    /** @return the level of the first message that contains the text */
    Level level(String containing) {
        return records.stream().filter(r -> r.getMessage().contains(containing)).findFirst()
                .map(LogRecord::getLevel).orElseThrow(() -> new AssertionError("nothing logged contains '" + containing
                        + "': " + lines()));
    }
}
