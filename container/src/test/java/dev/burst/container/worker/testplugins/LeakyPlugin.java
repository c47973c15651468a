package dev.burst.container.worker.testplugins;

import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test plugin that starts a thread and does not stop it in stop(): its generation cannot unload. The
 * thread ends only when {@code <burst.plugin.test.dir>/release} exists (the test cleans up so), or
 * after a minute.
 */
public final class LeakyPlugin implements Plugin {

    @Override
    public void start(PluginContext context) {
        Path release = Path.of(context.config().getValue("burst.plugin.test.dir", String.class)).resolve("release");
        Thread t = new Thread(() -> holdUntil(release), "leaky-test-thread");
        t.setDaemon(true);
        t.start();
    }

    private static void holdUntil(Path release) {
        for (int i = 0; i < 6000 && !Files.exists(release); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
