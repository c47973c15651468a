package dev.burst.examples.counter;

import dev.burst.api.Before;
import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import dev.burst.api.StateHandoff;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A count per key, kept in a plain map in the memory of one worker: the group routes by key
 * ({@code burst.group.<g>.route=key}), so every request of a key runs on the worker that holds its count,
 * one at a time, and neither the handlers nor the income timer need a lock. A key is the user its
 * connection logged in as (cmd 110 over Box or WebSocket), else the HTTP header {@code Burst-Key}.
 * Bodies and replies are UTF-8 text.
 *
 * <table>
 *   <caption>cmds</caption>
 *   <tr><th>cmd</th><th>body</th><th>reply</th></tr>
 *   <tr><td>110 counter-login</td><td>a name</td><td>{@code welcome <name>}: the connection's key</td></tr>
 *   <tr><td>111 add</td><td>a whole number from 1 to 1000000, or nothing for 1</td><td>the new count</td></tr>
 *   <tr><td>112 get</td><td>none</td><td>the count (0 for a key never seen)</td></tr>
 * </table>
 * Each second a timer adds {@code burst.plugin.counter.income} (default 1; 0 = none) to every count this
 * worker holds. A request without a key is answered ret 1; a body or name not understood, ret 2; and
 * every request, ret 3 when the group does not route by key (each worker would keep counts of its own).
 *
 * <p>On a reload, the retiring generation hands the counts off ({@link StateHandoff}) and the new one
 * takes them over before its first request or tick, so the counts go on through a code update. A restart,
 * a recycle or a crash starts the worker empty: a real game would persist what must survive those.
 *
 * <p>Threads: burst calls {@code start}, the hook, the handlers, the ticks, {@code handOff} and
 * {@code takeOver} on the worker's task thread, one at a time.
 */
public final class CounterPlugin implements Plugin, StateHandoff {

    static final int LOGIN = 110;
    /** ret: the request has no key. */
    static final int NO_KEY = 1;
    /** ret: the body or name was not understood; the reply says why. */
    static final int BAD_REQUEST = 2;
    /** ret: the group does not route by key. */
    static final int NOT_STICKY = 3;

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._-]{1,32}");
    private static final Pattern AMOUNT = Pattern.compile("[1-9][0-9]{0,5}|1000000");

    /** Added to every count each second; set by burst before start, read again on each reload. */
    @ConfigProperty(name = "burst.plugin.counter.income", defaultValue = "1")
    private long income;

    /** The counts of the keys routed to this worker. */
    private final Map<String, Long> counts = new HashMap<>();
    private String notSticky = "";

    @Override
    public void start(PluginContext context) {
        if (income < 0) {
            throw new IllegalArgumentException("burst.plugin.counter.income must be 0 or more, got " + income);
        }
        String route = "burst.group." + context.worker().group() + ".route";
        if (!context.config().getOptionalValue(route, String.class).orElse("any").equals("key")) {
            notSticky = "counter needs " + route + "=key: with any other routing each worker keeps counts of its own";
            context.logger().log(Level.WARNING, notSticky);
        }
        if (income > 0) {
            context.timers().every(Duration.ofSeconds(1), () -> counts.replaceAll((key, count) -> count + income));
        }
    }

    @Before
    void stickyAndKeyed(Request request) {
        if (!notSticky.isEmpty()) {
            request.reply(NOT_STICKY, bytes(notSticky));
        } else if (request.cmd() != LOGIN && request.key().isEmpty()) {
            request.reply(NO_KEY, bytes("no key: log in (cmd 110) or send the HTTP header Burst-Key"));
        }
    }

    @Cmd(id = LOGIN, name = "counter-login")
    void login(Request request) {
        String name = request.text().strip();
        if (!NAME.matcher(name).matches()) {
            request.reply(BAD_REQUEST, bytes("a name is 1 to 32 letters, digits, '.', '-' or '_', got '" + name + "'"));
            return;
        }
        try {
            request.login(name);
        } catch (IllegalStateException e) { // over HTTP: no connection to log in; send Burst-Key instead
            request.reply(BAD_REQUEST, bytes(e.getMessage()));
            return;
        }
        request.reply("welcome " + name);
    }

    @Cmd(id = 111, name = "counter-add")
    void add(Request request) {
        String amount = request.text().strip();
        if (!amount.isEmpty() && !AMOUNT.matcher(amount).matches()) {
            request.reply(BAD_REQUEST, bytes("add takes a whole number from 1 to 1000000, got '" + amount + "'"));
            return;
        }
        long count = counts.merge(request.key().orElseThrow(), amount.isEmpty() ? 1 : Long.parseLong(amount), Long::sum);
        request.reply(Long.toString(count));
    }

    @Cmd(id = 112, name = "counter-get")
    String get(Request request) {
        return Long.toString(counts.getOrDefault(request.key().orElseThrow(), 0L));
    }

    /** The counts as decimal text, one entry per key: read, never changed, since this generation may serve on. */
    @Override
    public Map<String, byte[]> handOff() {
        Map<String, byte[]> state = new HashMap<>();
        counts.forEach((key, count) -> state.put(key, bytes(Long.toString(count))));
        return state;
    }

    /** Takes the counts the previous generation handed off; one that is not a number refuses them all. */
    @Override
    public void takeOver(Map<String, byte[]> state) {
        Map<String, Long> taken = new HashMap<>();
        state.forEach((key, count) -> {
            String text = new String(count, StandardCharsets.UTF_8);
            try {
                taken.put(key, Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the count handed off for key '" + key + "' is not a number: '"
                        + text + "'", e);
            }
        });
        counts.putAll(taken);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
