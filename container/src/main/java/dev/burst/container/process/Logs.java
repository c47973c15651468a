package dev.burst.container.process;

import io.helidon.logging.common.spi.LoggingProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * One log line format for every process: time, level, who ({@code [worker game#2 pid 4121]}), message.
 * Every process writes to stderr; the master's children inherit the master's, so a foreground run shows
 * all of them in one stream. Nothing else writes there on its own:
 * <ul>
 * <li>an exception no code caught (an {@link OutOfMemoryError} on any thread, say) is logged as an ERROR
 *     line naming the thread, with its stack trace, instead of the JVM's bare "Exception in thread";</li>
 * <li>Helidon looks for a logging implementation when it starts and prints a line of its own when it
 *     finds none: {@link HelidonLogging} is burst's, registered as Helidon's
 *     {@code LoggingProvider} service, and leaves java.util.logging as set up here.</li>
 * </ul>
 *
 * <p>Threads: {@link #setUp} runs on the main thread before anything logs; the formatter runs on
 * whichever thread logs, and the uncaught-exception handler on the dying thread.
 */
public final class Logs {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private Logs() {
    }

    /**
     * Installs the format for this process.
     *
     * @param identity who this process is, for example {@code proxy pid 4100}
     */
    public static void setUp(String identity) {
        setUp(identity, false);
    }

    /**
     * Installs the format for this process, with progress (below WARNING) on stdout and warnings and
     * errors on stderr: for a build-time tool, so a quiet build (whose runner shows stdout at its info
     * level) prints only what went wrong.
     *
     * @param identity who this process is
     */
    public static void setUpProgressOnStdout(String identity) {
        setUp(identity, true);
    }

    private static void setUp(String identity, boolean progressOnStdout) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Line format = new Line("[" + identity + "]");
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(progressOnStdout ? Level.WARNING : Level.ALL);
        console.setFormatter(format);
        root.addHandler(console);
        if (progressOnStdout) {
            StreamHandler progress = new StreamHandler(System.out, format) {
                @Override
                public synchronized void publish(LogRecord record) {
                    if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                        super.publish(record);
                        flush();
                    }
                }
            };
            progress.setLevel(Level.ALL);
            root.addHandler(progress);
        }
        root.setLevel(Level.INFO);
        Thread.setDefaultUncaughtExceptionHandler(Logs::uncaught);
        activateModuleLoggerFinder();
        // Helidon's start-up chatter is kept at warning; burst logs what an operator needs.
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
    }

    /** Logs what no code caught, in the process's format; the thread then dies as it would have. */
    static void uncaught(Thread thread, Throwable e) {
        try {
            Logger.getLogger("burst").log(Level.SEVERE, "uncaught " + e.getClass().getName() + " in thread \""
                    + thread.getName() + "\"", e);
        } catch (Throwable whileLogging) {
            // out of memory, most likely: the plainest line there is, rather than nothing
            System.err.println("uncaught " + e + " in thread \"" + thread.getName() + "\"");
        }
    }

    /**
     * Helidon's logging implementation for burst: java.util.logging, set up by {@link #setUp}; found by
     * Helidon through {@code META-INF/services}, so it no longer prints that it found none.
     */
    public static final class HelidonLogging implements LoggingProvider {
        @Override
        public void initialization() {
            // Logs.setUp configures java.util.logging for the whole process
        }

        @Override
        public void runTime() {
            // only called in a GraalVM native image, which burst is not
        }
    }

    /**
     * jboss-modules registers a {@code System.LoggerFinder} that queues every {@code System.Logger}
     * message until its own launcher activates it. burst uses jboss-modules as a library, so it activates
     * the finder itself (a package-private hook): queued and later messages then go to the JDK's default
     * finder, that is java.util.logging as set up above. Without this, every log line is held in memory.
     */
    private static void activateModuleLoggerFinder() {
        try {
            Method activate = Class.forName("org.jboss.modules.ModuleLoggerFinder")
                    .getDeclaredMethod("activate", ClassLoader.class);
            activate.setAccessible(true);
            activate.invoke(null, Logs.class.getClassLoader());
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("burst: cannot activate jboss-modules' logger finder; System.Logger output may be lost: " + e);
        }
    }

    private static final class Line extends Formatter {
        private final String who;

        Line(String who) {
            this.who = who;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append(TIME.format(LocalDateTime.ofInstant(r.getInstant(), ZoneId.systemDefault())))
                    .append(' ').append(level(r.getLevel())).append(' ').append(who).append(' ')
                    .append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }

        private static String level(Level l) {
            if (l.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (l.intValue() >= Level.WARNING.intValue()) {
                return "WARN ";
            }
            if (l.intValue() >= Level.INFO.intValue()) {
                return "INFO ";
            }
            return "DEBUG";
        }
    }
}
