package dev.burst.container.process;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Unix signal handling through {@code sun.misc.Signal}. Handlers must only enqueue: they run on a JVM
 * signal thread while the process may be doing anything.
 */
public final class Signals {

    private Signals() {
    }

    /**
     * Routes the named signals to a consumer.
     *
     * @param onSignal receives the signal name (TERM, INT, HUP ...); must only enqueue
     * @param names    signal names without the SIG prefix
     */
    public static void handle(Consumer<String> onSignal, String... names) {
        for (String name : names) {
            try {
                Signal.handle(new Signal(name), s -> onSignal.accept(s.getName()));
            } catch (IllegalArgumentException e) {
                // The JVM reserves the signal (or the OS lacks it): say so once, carry on without it.
                System.Logger log = System.getLogger(Signals.class.getName());
                log.log(System.Logger.Level.WARNING, "cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }
}
