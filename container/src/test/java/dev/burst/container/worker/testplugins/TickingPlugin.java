package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Timer;
import dev.burst.api.Timers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Test plugin {@code ticking}: timers and the state they share with handlers, in plain (not thread-safe)
 * fields, as a game plugin keeps its state. Its start() plans an {@code after(10 ms)}. It serves:
 * <ul>
 *   <li>cmd 90: plans an {@code after(50 ms)} that counts its runs;</li>
 *   <li>cmd 91: starts an {@code every(100 ms)} that counts ticks, notes a tick that found a handler
 *       running, and writes its count to {@code <burst.plugin.test.dir>/ticks-<generation>};</li>
 *   <li>cmd 92: replies {@code ticks=.. after=.. fromStart=.. overlaps=.. failing=.. own loader=..};</li>
 *   <li>cmd 93: holds the task thread 400 ms and replies the tick count before and after;</li>
 *   <li>cmd 94: starts an {@code every(50 ms)} whose ticks count themselves and throw;</li>
 *   <li>cmd 95: cancels the {@code every(100 ms)} timer, replies what cancel() and then pending() said;</li>
 *   <li>cmd 96: from a thread of its own, asks for timers() and uses the timers it has; replies what each
 *       call threw;</li>
 *   <li>cmd 97: plans an {@code after(0)} whose tick holds the task thread for the body's milliseconds;</li>
 *   <li>cmd 98: with a body N, starts an {@code every(15 ms)} whose first N ticks hold the task thread 8 to 12
 *       ms each, then cancels it; without a body, replies how many of those ticks ran.</li>
 * </ul>
 */
public final class TickingPlugin implements Plugin {

    private PluginContext context;
    private Timers timers;
    private Path dir;
    private int generation;
    private int ticks;
    private int afterRuns;
    private boolean fromStart;
    private boolean inHandler;
    private int overlaps;
    private int failing;
    private boolean ownLoader = true;
    private Timer every;
    private int borderline;

    @Override
    public void start(PluginContext context) {
        this.context = context;
        this.timers = context.timers();
        dir = Path.of(context.config().getValue("burst.plugin.test.dir", String.class));
        generation = context.worker().generation();
        timers.after(Duration.ofMillis(10), () -> fromStart = true);
        context.handle(90, request -> {
            timers.after(Duration.ofMillis(50), () -> afterRuns++);
            request.reply("ok");
        });
        context.handle(91, request -> {
            if (every == null) {
                every = timers.every(Duration.ofMillis(100), run -> tick());
            }
            request.reply("ok");
        });
        context.handle(92, request -> request.reply("ticks=" + ticks + " after=" + afterRuns + " fromStart=" + fromStart
                + " overlaps=" + overlaps + " failing=" + failing + " own loader=" + ownLoader));
        context.handle(93, request -> {
            inHandler = true;
            int before = ticks;
            Thread.sleep(400);
            int after = ticks;
            inHandler = false;
            request.reply(before + " " + after);
        });
        context.handle(94, request -> {
            timers.every(Duration.ofMillis(50), run -> {
                failing++;
                throw new IllegalStateException("tick " + failing + " fails");
            });
            request.reply("ok");
        });
        context.handle(95, request -> {
            boolean cancelled = every.cancel();
            request.reply(cancelled + " " + every.pending());
        });
        context.handle(96, request -> {
            CompletableFuture<String> tried = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> tried.complete(attempt(() -> context.timers()) + " | "
                    + attempt(() -> timers.after(Duration.ZERO, () -> { })) + " | "
                    + attempt(() -> every.cancel())));
            request.reply(tried.get());
        });
        context.handle(97, request -> {
            long millis = Long.parseLong(request.text());
            timers.after(Duration.ZERO, run -> Thread.sleep(millis));
            request.reply("ok");
        });
        context.handle(98, request -> {
            if (request.text().isEmpty()) {
                request.reply(Integer.toString(borderline));
                return;
            }
            int n = Integer.parseInt(request.text());
            timers.every(Duration.ofMillis(15), run -> {
                Thread.sleep(8 + borderline % 5);
                if (++borderline == n) {
                    run.timer().cancel();
                }
            });
            request.reply("ok");
        });
    }

    private void tick() {
        ticks++;
        if (inHandler) {
            overlaps++;
        }
        ownLoader &= Thread.currentThread().getContextClassLoader() == TickingPlugin.class.getClassLoader();
        try {
            Files.writeString(dir.resolve("ticks-" + generation), Integer.toString(ticks));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String attempt(Runnable call) {
        try {
            call.run();
            return "allowed";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
