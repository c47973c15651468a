package dev.burst.container.worker.testplugins;

import dev.burst.api.Command;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test plugin, loaded by the worker tests from a jar they build (so in its own module, like any
 * plugin). It writes where its start() and stop() ran into {@code <burst.plugin.test.dir>/probe.log}
 * and serves:
 * <ul>
 *   <li>cmd 1 ({@code echo}): replies the body;</li>
 *   <li>cmd 2: no reply;</li>
 *   <li>cmd 3: throws {@link IllegalStateException};</li>
 *   <li>cmd 4 ({@code where}): replies the thread it runs on and whether the context loader is its own;</li>
 *   <li>cmd 5 ({@code hold}): creates {@code started}, waits (at most 30 s) until {@code release} exists,
 *       replies {@code released}.</li>
 *   <li>cmd 6 ({@code config}): replies {@code burst.plugin.probe.value} as its generation's configuration
 *       says, or {@code none}.</li>
 * </ul>
 * Every call leaves this plugin's instance in a ThreadLocal of the thread it ran on, as Jackson leaves
 * its buffer recycler: a value whose class is the plugin's.
 */
public final class ProbePlugin implements Plugin {

    private static final ThreadLocal<ProbePlugin> LAST_USED = new ThreadLocal<>();

    private Path dir;
    private int generation;

    @Override
    public void start(PluginContext context) {
        dir = Path.of(context.config().getValue("burst.plugin.test.dir", String.class));
        generation = context.worker().generation();
        LAST_USED.set(this);
        record("start " + generation + " on " + here());
        context.handle(Command.of(1).named("echo"), request -> {
            LAST_USED.set(this);
            request.reply(request.body());
        });
        context.handle(Command.of(2), request -> LAST_USED.set(this));
        context.handle(Command.of(3), request -> {
            LAST_USED.set(this);
            throw new IllegalStateException("cmd 3 always fails");
        });
        context.handle(Command.of(4).named("where"), request -> {
            LAST_USED.set(this);
            request.reply(here());
        });
        context.handle(Command.of(5).named("hold"), request -> {
            Files.createFile(dir.resolve("started"));
            for (int i = 0; i < 3000 && !Files.exists(dir.resolve("release")); i++) {
                Thread.sleep(10);
            }
            request.reply("released");
        });
        context.handle(Command.of(6).named("config"), request -> request.reply(
                context.config().getOptionalValue("burst.plugin.probe.value", String.class).orElse("none")));
    }

    @Override
    public void stop() {
        record("stop " + generation + " on " + here());
    }

    /** @return the thread's name, and whether the context class loader is this plugin's */
    private static String here() {
        boolean own = Thread.currentThread().getContextClassLoader() == ProbePlugin.class.getClassLoader();
        return Thread.currentThread().getName() + (own ? " with its own context loader" : " with another context loader");
    }

    private void record(String line) {
        try {
            Files.writeString(dir.resolve("probe.log"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
