package dev.burst.bench;

/**
 * Logged-in client connections of one protocol that read every frame pushed to them and report it to a
 * {@link PushTally}. {@link BoxUsers} speaks Box over TCP; a WebSocket kind (burst's {@code /ws}) plugs in
 * beside it: it logs each connection in with the same login request, cuts the same push frames out of
 * binary messages and reports to the same tally under its own connection numbers, and {@link PushLoad}
 * splits the users between the kinds asked for.
 *
 * <p>Threads: opened and closed by the caller; the reading happens on threads of its own, whose CPU time
 * {@link #readerCpuNanos} reports.
 */
interface PushUsers extends AutoCloseable {

    /** @return the protocol's name as the result file writes it: "box" (later "ws") */
    String protocol();

    /** @return how many connections were opened and logged in */
    int connections();

    /** @return CPU time the reading threads have used so far, in ns; -1 if the JVM cannot tell */
    long readerCpuNanos();

    /** @return how many threads read */
    int readerThreads();

    /**
     * Stops reading, then closes the connections {@code batch} at a time, running {@code between} after each
     * batch but the last: each closed connection with a user makes burst queue a disconnect event, and the
     * caller may let those drain so that they do not overflow the group's queue.
     */
    void close(int batch, Runnable between);

    /** Stops reading and closes every connection at once. */
    @Override
    default void close() {
        close(Integer.MAX_VALUE, () -> { });
    }
}
