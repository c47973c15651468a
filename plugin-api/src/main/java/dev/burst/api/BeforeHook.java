package dev.burst.api;

/**
 * Runs before a request's handler. It may answer the request itself ({@link Request#reply(int, byte[])},
 * e.g. ret 401 from an auth check): the handler and the remaining before hooks are then skipped, and the
 * before-send and after hooks still run. It may leave values for the handler in
 * {@link Request#attributes()}.
 *
 * <p>Threads: the task thread, with the registering plugin's class loader as context loader. A hook that
 * throws fails the request as a handler would (ret -10001); the worker's log names the hook's plugin.
 */
@FunctionalInterface
public interface BeforeHook {

    /**
     * @param request the request, not yet handled
     * @throws Exception fails the request with ret -10001
     */
    void before(Request request) throws Exception;
}
