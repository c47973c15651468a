package dev.burst.api;

/**
 * Runs after the handler (or a before hook) answered, failed or returned without a reply, before the
 * result goes to the client: it sees what is about to be sent and may replace it
 * ({@link Response#replace(int, byte[])}), e.g. to map an exception to an application ret code.
 *
 * <p>Threads: the task thread, with the registering plugin's class loader as context loader. A hook that
 * throws makes the result a handler error (ret -10001); the worker's log names the hook's plugin. The
 * before-send hooks after it still run and see that error.
 */
@FunctionalInterface
public interface BeforeSendHook {

    /**
     * @param request  the request
     * @param response what is about to be sent
     * @throws Exception turns the result into ret -10001
     */
    void beforeSend(Request request, Response response) throws Exception;
}
