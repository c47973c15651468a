package dev.burst.container.proxy.dispatch;

import java.util.function.Consumer;

/** Where client listeners hand accepted requests: the proxy's dispatcher, seen from a listener. */
public interface Intake {

    /** @return a new source id for a client connection (the queue serves sources in turn) */
    long newSource();

    /**
     * Accepts a request: it is answered exactly once through {@code onDone}, possibly before this
     * returns (unknown cmd, overloaded, stopping).
     *
     * @param cmd    the command id
     * @param sn     the client's sequence number
     * @param client the client's address, for the handler
     * @param source the connection it came from ({@link #newSource()})
     * @param body   the payload
     * @param onDone receives the outcome, on whichever thread answers
     */
    void submit(int cmd, int sn, String client, long source, byte[] body, Consumer<Outcome> onDone);
}
