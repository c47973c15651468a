package dev.burst.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The {@link Baseline} server in its own JVM (the same java as the benchmark's), stopped by PID. */
final class BaselineServer implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final int boxPort;

    private BaselineServer(Process process, int httpPort, int boxPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.boxPort = boxPort;
    }

    static BaselineServer start(String classpath, String jvmOptions, Path work, Pids pids) throws IOException, InterruptedException {
        Path ports = work.resolve("baseline.ports");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        if (!jvmOptions.isBlank()) {
            cmd.addAll(List.of(jvmOptions.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(Baseline.class.getName());
        cmd.add(ports.toString());
        Path log = work.resolve("baseline.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        pids.add(p.pid(), "baseline (dev.burst.bench.Baseline)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(ports)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("the baseline did not serve:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(ports)) {
            props.load(r);
        }
        return new BaselineServer(p, Integer.parseInt(props.getProperty("http")), Integer.parseInt(props.getProperty("box")));
    }

    int httpPort() {
        return httpPort;
    }

    int boxPort() {
        return boxPort;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
