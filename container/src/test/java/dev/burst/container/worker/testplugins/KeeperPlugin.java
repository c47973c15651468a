package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.StateHandoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test plugin {@code keeper}: keeps values in a plain map of byte arrays and hands that very map off (no
 * copy of its own: burst's copy is what keeps the generations apart). It notes what it held when its
 * start() ran, at its first timer tick (an {@code after(0)} planned in start) and at its first task (a
 * before hook), and appends to {@code <burst.plugin.test.dir>/keeper.log} where its start, handOff,
 * takeOver and stop ran. It serves:
 * <ul>
 *   <li>cmd 120: body {@code key=value}, keeps it, replies {@code ok};</li>
 *   <li>cmd 121: body a key, replies its value or {@code none};</li>
 *   <li>cmd 122: replies {@code gen=N start=[..] tick=[..] task=[..]};</li>
 *   <li>cmd 123: makes its next handOff throw.</li>
 * </ul>
 */
public final class KeeperPlugin implements Plugin, StateHandoff {

    private final Map<String, byte[]> values = new HashMap<>();
    private Path dir;
    private int generation;
    private String atStart;
    private String atFirstTick = "none";
    private String atFirstTask = "none";
    private boolean poisoned;

    @Override
    public void start(PluginContext context) {
        dir = Path.of(context.config().getValue("burst.plugin.test.dir", String.class));
        generation = context.worker().generation();
        record("start gen " + generation);
        atStart = describe();
        context.timers().after(Duration.ZERO, () -> {
            atFirstTick = describe();
        });
        context.before(request -> {
            if (atFirstTask.equals("none")) {
                atFirstTask = describe();
            }
        });
        context.handle(120, request -> {
            String[] kv = request.text().split("=", 2);
            values.put(kv[0], kv[1].getBytes(StandardCharsets.UTF_8));
            request.reply("ok");
        });
        context.handle(121, request -> {
            byte[] value = values.get(request.text());
            request.reply(value == null ? "none" : new String(value, StandardCharsets.UTF_8));
        });
        context.handle(122, request -> request.reply("gen=" + generation + " start=" + atStart + " tick=" + atFirstTick
                + " task=" + atFirstTask));
        context.handle(123, request -> {
            poisoned = true;
            request.reply("ok");
        });
    }

    @Override
    public Map<String, byte[]> handOff() {
        record("handOff gen " + generation + " on " + here());
        if (poisoned) {
            throw new IllegalStateException("keeper was told to fail its hand-off");
        }
        return values;
    }

    @Override
    public void takeOver(Map<String, byte[]> state) {
        boolean unmodifiable;
        try {
            state.put("intruder", new byte[0]);
            unmodifiable = false;
        } catch (UnsupportedOperationException e) {
            unmodifiable = true;
        }
        record("takeOver gen " + generation + " on " + here() + " entries=" + state.size() + " unmodifiable=" + unmodifiable);
        values.putAll(state);
    }

    @Override
    public void stop() {
        record("stop gen " + generation);
    }

    /** @return the values, sorted by key: {@code [a=1, b=2]} */
    private String describe() {
        Map<String, String> sorted = new TreeMap<>();
        values.forEach((k, v) -> sorted.put(k, new String(v, StandardCharsets.UTF_8)));
        return sorted.toString().replace('{', '[').replace('}', ']').replace(" ", "");
    }

    /** @return the thread's name, and whether the context class loader is this plugin's */
    private static String here() {
        boolean own = Thread.currentThread().getContextClassLoader() == KeeperPlugin.class.getClassLoader();
        return Thread.currentThread().getName() + (own ? " own loader" : " other loader");
    }

    private void record(String line) {
        try {
            Files.writeString(dir.resolve("keeper.log"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
