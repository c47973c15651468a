package dev.burst.container.process;

/**
 * How burst starts its own processes: every one runs {@link #MAIN_CLASS} with its role as the first
 * argument. Named here as a string, so the supervisor and the AOT trainer can start children without
 * importing the entry point (which imports them).
 */
public final class Entry {

    /** The entry point of every burst process (master, proxy, worker, aot). */
    public static final String MAIN_CLASS = "dev.burst.container.Main";

    /**
     * The environment variable by which the master tells a proxy whether it is the first of the
     * master's life ({@code cold}: take plugins/ afresh) or a respawn ({@code respawn}: serve the
     * generation recorded in the run directory).
     */
    public static final String PROXY_START_ENV = "BURST_PROXY_START";

    private Entry() {
    }
}
