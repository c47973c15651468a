package dev.burst.api;

/**
 * Runs when a connection with a logged-in user closes, however it closed: once per connection, on one
 * worker of the group of the plugin that registered it, queued like a task (counted, bounded by the
 * group's queue) but answered to nobody. After a reload, the new generation's handler runs.
 *
 * <p>Threads: the task thread, with the plugin's class loader as context loader. It may push. A handler
 * that throws is logged naming its plugin.
 */
@FunctionalInterface
public interface DisconnectHandler {

    /**
     * @param event who left, and why
     * @throws Exception logged
     */
    void disconnected(Disconnect event) throws Exception;
}
