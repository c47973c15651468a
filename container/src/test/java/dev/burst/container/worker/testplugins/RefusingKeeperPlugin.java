package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.StateHandoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Test plugin deployed as {@code keeper}, a next version that cannot read the state: its takeOver
 * scribbles {@code X} over every array it was given, then refuses. Its start() registers cmd 121 and an
 * {@code every(20 ms)} timer that would create {@code <burst.plugin.test.dir>/refuser-ticked}; its start,
 * refusal and stop are appended to {@code keeper.log}. It never hands anything off.
 */
public final class RefusingKeeperPlugin implements Plugin, StateHandoff {

    private Path dir;
    private int generation;

    @Override
    public void start(PluginContext context) {
        dir = Path.of(context.config().getValue("burst.plugin.test.dir", String.class));
        generation = context.worker().generation();
        record("start refuser gen " + generation);
        context.handle(121, request -> request.reply("refuser"));
        context.timers().every(Duration.ofMillis(20), run -> Files.writeString(dir.resolve("refuser-ticked"), "ticked"));
    }

    @Override
    public Map<String, byte[]> handOff() {
        return Map.of();
    }

    @Override
    public void takeOver(Map<String, byte[]> state) {
        state.values().forEach(v -> Arrays.fill(v, (byte) 'X'));
        record("refuse gen " + generation);
        throw new IllegalStateException("keeper v2 cannot read the state of v1");
    }

    @Override
    public void stop() {
        record("stop refuser gen " + generation);
    }

    private void record(String line) {
        try {
            Files.writeString(dir.resolve("keeper.log"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
