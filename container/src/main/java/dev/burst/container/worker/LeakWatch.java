package dev.burst.container.worker;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Watches retired plugin generations: each one's class loaders are held weakly, and after a few
 * collections over a few seconds they must be gone. One still reachable is a leak (typically a thread
 * the plugin started and never stopped); it is logged with what the JVM can tell and reported.
 *
 * <p>Threads: {@link #retire} is called on the retiring generation's task thread; checks (and the
 * report) run on this watch's own daemon thread.
 */
final class LeakWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeakWatch.class.getName());
    private static final Duration FIRST_CHECK = Duration.ofSeconds(2);
    private static final int GC_ROUNDS = 4;

    /** Hears how each check ended. Called on the watch's thread. */
    @FunctionalInterface
    interface Listener {
        /**
         * @param generation the retired generation whose class loaders are still reachable
         * @param detail     what holds them, as far as the JVM can tell
         */
        void leaked(int generation, String detail);

        /** @param generation a retired generation whose class loaders are collected */
        default void unloaded(int generation) {
        }
    }

    private final Listener listener;
    private final Duration firstCheck;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        // Made when the first generation retires, by its task thread: it must inherit nothing of that
        // thread (an inheritable ThreadLocal of the plugin, the context class loader) or it would hold it.
        Thread t = Thread.ofPlatform().name("leak-watch").daemon().inheritInheritableThreadLocals(false).unstarted(r);
        t.setContextClassLoader(LeakWatch.class.getClassLoader());
        return t;
    });

    /**
     * @param listener hears of each leak (and each unloaded generation)
     */
    LeakWatch(Listener listener) {
        this(listener, FIRST_CHECK);
    }

    /**
     * @param listener   hears how each check ended
     * @param firstCheck how long after its retirement a generation is first checked
     */
    LeakWatch(Listener listener, Duration firstCheck) {
        this.listener = listener;
        this.firstCheck = firstCheck;
    }

    /**
     * Starts watching a retired generation. The caller must hold no reference to its loaders after this.
     *
     * @param generation the generation number
     * @param loaders    its plugin modules' class loaders
     */
    void retire(int generation, List<ClassLoader> loaders) {
        List<WeakReference<ClassLoader>> refs = loaders.stream().map(WeakReference::new).toList();
        checker.schedule(() -> check(generation, refs), firstCheck.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check(int generation, List<WeakReference<ClassLoader>> refs) {
        try {
            for (int round = 0; ; round++) {
                if (refs.stream().allMatch(r -> r.get() == null)) {
                    LOG.log(System.Logger.Level.INFO, "generation " + generation + " unloaded: its class loaders are collected");
                    listener.unloaded(generation);
                    return;
                }
                if (round == GC_ROUNDS) {
                    break;
                }
                System.gc();
                Thread.sleep(250L << round);
            }
            String detail = describeHolders(refs);
            LOG.log(System.Logger.Level.WARNING, "generation " + generation + " leaked: its class loader is still reachable "
                    + "after " + GC_ROUNDS + " collections; " + detail);
            listener.leaked(generation, detail);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "leak check of generation " + generation + " failed", e);
        }
    }

    /** Live threads whose class or context class loader is one of the retired loaders. */
    private static String describeHolders(List<WeakReference<ClassLoader>> refs) {
        List<ClassLoader> loaders = refs.stream().map(WeakReference::get).filter(l -> l != null).toList();
        String threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> loaders.contains(t.getContextClassLoader()) || loaders.contains(t.getClass().getClassLoader()))
                .map(t -> "'" + t.getName() + "'")
                .sorted()
                .collect(Collectors.joining(", "));
        return threads.isEmpty()
                ? "no live thread of the plugin found; something else holds one of its classes"
                : "live threads started by the plugin: " + threads;
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
