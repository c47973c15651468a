package dev.burst.container.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.logging.common.spi.LoggingProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogsTest {

    private static final Pattern FIRST_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR \\[proxy pid 42] uncaught java.lang.OutOfMemoryError"
                    + " in thread \"reader-7\"");

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private Thread.UncaughtExceptionHandler originalHandler;
    private List<Handler> originalHandlers;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        originalHandler = Thread.getDefaultUncaughtExceptionHandler();
        originalHandlers = List.of(Logger.getLogger("").getHandlers());
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        Thread.setDefaultUncaughtExceptionHandler(originalHandler);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        originalHandlers.forEach(root::addHandler);
    }

    @Test
    void an_error_no_code_caught_is_logged_in_the_process_format_with_the_thread_and_its_stack() throws Exception {
        Logs.setUp("proxy pid 42");

        Thread dying = new Thread(() -> {
            throw new OutOfMemoryError("Java heap space");
        }, "reader-7");
        dying.start();
        dying.join();

        // other tests' threads may log meanwhile; one record is written whole, its stack right under its line
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.contains(" uncaught ")).findFirst().orElse(""));
        assertTrue(at >= 0, "nothing logged: " + lines);
        assertTrue(FIRST_LINE.matcher(lines.get(at)).matches(), lines.get(at));
        assertEquals("java.lang.OutOfMemoryError: Java heap space", lines.get(at + 1));
        assertTrue(lines.get(at + 2).startsWith("\tat dev.burst.container.process.LogsTest"), lines.get(at + 2));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("Exception in thread")), String.join("\n", lines));
    }

    @Test
    void helidon_finds_burst_as_its_logging_implementation() {
        List<Class<?>> providers = ServiceLoader.load(LoggingProvider.class).stream()
                .<Class<?>>map(ServiceLoader.Provider::type).toList();

        assertEquals(List.of(Logs.HelidonLogging.class), providers);
    }
}
