package dev.burst.api;

/**
 * Handles the requests of one command.
 *
 * <p>Threads: runs on the worker's task thread, one request at a time per worker. It answers through
 * {@link Request#reply(byte[])} (or {@link Request#reply(int, byte[])}) at most once, before it returns;
 * returning without a reply answers "no reply" (HTTP 204). It must not keep the request to answer later
 * from another thread: a reply after {@code handle} returned is refused.
 */
@FunctionalInterface
public interface Handler {

    /**
     * Handles one request.
     *
     * @param request the request; valid until this method returns
     * @throws Exception any failure: the client gets ret -10001 (HTTP 500), unless a reply was already
     *                   given, and the worker goes on with the next request
     */
    void handle(Request request) throws Exception;
}
