package dev.burst.api;

/**
 * Runs once the result has been sent to the proxy: it sees what was sent, the exception if any, and how
 * long the request took, for metrics, clean-up and audit. It cannot change the result.
 *
 * <p>Threads: the task thread, with the registering plugin's class loader as context loader; the worker
 * takes its next task after the after hooks returned, so a slow after hook delays the next request of
 * that worker. A hook that throws is logged naming its plugin; the other after hooks still run.
 */
@FunctionalInterface
public interface AfterHook {

    /**
     * @param request the request; its attributes are still there, it can no longer be answered
     * @param outcome what was sent
     * @throws Exception logged
     */
    void after(Request request, Outcome outcome) throws Exception;
}
