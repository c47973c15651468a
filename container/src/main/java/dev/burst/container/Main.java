package dev.burst.container;

import dev.burst.container.aot.AotTraining;
import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigException;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.master.Master;
import dev.burst.container.process.ExitCode;
import dev.burst.container.process.LogSink;
import dev.burst.container.process.Logs;
import dev.burst.container.proxy.Proxy;
import dev.burst.container.worker.Worker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Entry point of every burst process. The role is the first argument, so {@code ps} shows who is who:
 * {@code ... dev.burst.container.Main master}, {@code ... Main proxy}, {@code ... Main worker game 2}.
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args {@code master}, {@code proxy}, {@code worker <group> <slot>}, or {@code aot} (build the
     *             workers' AOT cache, {@code bin/burst aot})
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            usage();
        }
        long pid = ProcessHandle.current().pid();
        switch (args[0]) {
            case "master" -> {
                Logs.setUp("master pid " + pid);
                BurstConfig config = config();
                Optional<LogSink> sink = config.logFile().map(Main::logTo);
                if (sink.isPresent()) {
                    Logs.setUp("master pid " + pid); // again: the handler writes to the new System.err
                }
                System.exit(Master.create(config, sink).run());
            }
            case "proxy" -> {
                Logs.setUp("proxy pid " + pid);
                System.exit(Proxy.create(config()).run());
            }
            case "worker" -> {
                if (args.length != 3) {
                    usage();
                }
                Logs.setUp("worker " + args[1] + "#" + args[2] + " pid " + pid);
                System.exit(Worker.create(config(), ConfigLoader::reread, args[1], Integer.parseInt(args[2])).run());
            }
            case "aot" -> {
                Logs.setUpProgressOnStdout("aot pid " + pid);
                System.exit(AotTraining.create(config()).run());
            }
            default -> usage();
        }
    }

    /** Sends this process's stdout and stderr to the log file (a child's output is piped in by the master). */
    private static LogSink logTo(Path file) {
        try {
            LogSink sink = LogSink.open(file);
            PrintStream stream = new PrintStream(sink.lineStream(), true, StandardCharsets.UTF_8);
            System.setOut(stream);
            System.setErr(stream);
            return sink;
        } catch (IOException e) {
            System.getLogger("burst").log(System.Logger.Level.ERROR, "cannot open burst.log.file " + file + ": " + e);
            ExitCode.CONFIG_ERROR.exit();
            throw new UncheckedIOException(e);
        }
    }

    private static BurstConfig config() {
        try {
            return ConfigLoader.load();
        } catch (ConfigException e) {
            System.getLogger("burst").log(System.Logger.Level.ERROR, "configuration error: " + e.getMessage());
            ExitCode.CONFIG_ERROR.exit();
            throw e;
        }
    }

    private static void usage() {
        System.err.println("usage: Main master | proxy | worker <group> <slot> | aot   (started by bin/burst)");
        ExitCode.CONFIG_ERROR.exit();
    }
}
