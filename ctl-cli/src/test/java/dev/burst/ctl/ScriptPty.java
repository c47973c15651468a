package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A command run on a pseudo-terminal by util-linux {@code script -qfec CMD /dev/null}: what is typed goes to
 * script's stdin, script copies it to the pty master, and everything the command writes to the terminal comes
 * back on script's stdout (the transcript, escape sequences and all). The pty starts at 0x0 columns, which
 * garbles jline's line editing, so the shell command sets a size first.
 */
public final class ScriptPty implements AutoCloseable {

    /** Why a test that needs {@code script} fails on a machine without it, and how to get it. */
    public static final String MISSING = "util-linux 'script' is not on the PATH: the console tests run burstctl on"
            + " the pseudo-terminal it makes. It comes with Debian's package bsdutils (essential, so normally"
            + " present; minimal images may lack it): apt-get install bsdutils. .ci/run installs it when missing.";

    private final Process process;
    private final StringBuffer transcript = new StringBuffer();
    private final OutputStream keys;
    private int mark;

    private ScriptPty(Process process) {
        this.process = process;
        this.keys = process.getOutputStream();
        Thread.ofVirtual().name("pty-reader").start(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    transcript.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                transcript.append("\n[transcript ended: ").append(e).append("]\n");
            }
        });
    }

    /** @return whether util-linux script is on the PATH; if not, fail with {@link #MISSING} */
    public static boolean available() {
        return availableOn(System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    /** @return whether an executable named script is in one of the folders of a PATH-like list */
    static boolean availableOn(String path) {
        return List.of(path.split(":")).stream()
                .filter(dir -> !dir.isEmpty())
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "script")));
    }

    /** Starts the command, words quoted for the shell, on a 120x40 terminal of type xterm. */
    public static ScriptPty start(List<String> command) throws IOException {
        String line = "stty cols 120 rows 40 && exec "
                + command.stream().map(ScriptPty::quote).collect(Collectors.joining(" "));
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", line, "/dev/null").redirectErrorStream(true);
        pb.environment().put("TERM", "xterm");
        return new ScriptPty(pb.start());
    }

    /** Types keys: "\t" is TAB, "\n" Enter, "\u0003" Ctrl-C, "\u0004" Ctrl-D. */
    public void type(String keys) {
        try {
            this.keys.write(keys.getBytes(StandardCharsets.UTF_8));
            this.keys.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot type into the terminal:\n" + transcript, e);
        }
    }

    /** Waits until the transcript shows the text after what earlier waits consumed, and consumes up to it. */
    public void await(String text, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            int at = transcript.indexOf(text, mark);
            if (at >= 0) {
                mark = at + text.length();
                return;
            }
            if (Instant.now().isAfter(deadline) || !process.isAlive() && transcript.indexOf(text, mark) < 0) {
                fail("the terminal never showed '" + text + "' within " + within + "; transcript:\n" + transcript);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for '" + text + "'", e);
            }
        }
    }

    /** @return the exit status of script, which is the command's */
    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the command did not exit within " + within + "; transcript:\n" + transcript);
        }
        return process.exitValue();
    }

    public String transcript() {
        return transcript.toString();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
