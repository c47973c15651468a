package dev.burst.container.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The leak watch holds retired loaders weakly and says, per generation, whether they went away. */
class LeakWatchTest {

    /** What the watch said about each generation. */
    private static final class Heard implements LeakWatch.Listener {
        final CompletableFuture<String> outcome = new CompletableFuture<>();

        @Override
        public void leaked(int generation, String detail) {
            outcome.complete("generation " + generation + " leaked: " + detail);
        }

        @Override
        public void unloaded(int generation) {
            outcome.complete("generation " + generation + " unloaded");
        }
    }

    @Test
    void a_loader_left_only_in_the_thread_locals_of_a_thread_that_ended_is_reported_unloaded() throws Exception {
        Heard heard = new Heard();
        ThreadLocal<ClassLoader> perThread = new ThreadLocal<>();
        AtomicReference<ClassLoader> handedOver = new AtomicReference<>();
        Thread task = Thread.ofPlatform().start(() -> {
            URLClassLoader loader = new URLClassLoader(new URL[0]);
            perThread.set(loader);
            handedOver.set(loader);
        });
        task.join();
        try (LeakWatch watch = new LeakWatch(heard, Duration.ofMillis(10))) {
            watch.retire(1, List.of(handedOver.getAndSet(null)));

            assertEquals("generation 1 unloaded", heard.outcome.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_loader_that_a_live_thread_holds_is_reported_leaked_naming_the_thread() throws Exception {
        Heard heard = new Heard();
        CountDownLatch release = new CountDownLatch(1);
        URLClassLoader loader = new URLClassLoader(new URL[0]);
        Thread holder = Thread.ofPlatform().name("plugin-ticker").unstarted(() -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.setContextClassLoader(loader);
        holder.start();
        try (LeakWatch watch = new LeakWatch(heard, Duration.ofMillis(10))) {
            watch.retire(2, List.of(loader));
            loader = null;

            String outcome = heard.outcome.get(30, TimeUnit.SECONDS);
            assertTrue(outcome.startsWith("generation 2 leaked: live threads started by the plugin: 'plugin-ticker'"), outcome);
        } finally {
            release.countDown();
            holder.join();
        }
    }
}
