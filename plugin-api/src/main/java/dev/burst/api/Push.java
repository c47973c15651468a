package dev.burst.api;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Sends frames to connected users that did not ask for them: a chat line, a turn starting, a kick. A
 * pushed frame is a Box frame (over TCP or WebSocket) with the given cmd, ret 0 and sn 0.
 *
 * <p>Threads: call it from the task thread (handlers, hooks, disconnect handlers, start). A call never
 * waits for clients: the frame goes to the proxy at once, and the proxy queues it on each connection,
 * closing one that does not read (a slow consumer) rather than waiting for it. Frames pushed by one
 * worker reach one connection in the order they were pushed, and a reply given after a push by the same
 * handler reaches the client after that push.
 *
 * <p>The returned stage completes with what became of the push once the proxy has said so, on the task
 * thread between tasks (not while the handler that pushed still runs: never wait for it there). Ignoring
 * it is fine: every outcome is counted in the proxy's stat either way.
 *
 * <p>burst implements this interface; methods may be added to it.
 */
public interface Push {

    /**
     * @param users the user ids (see {@link Request#login(String)}); each of their connections gets the frame
     * @param cmd   the frame's cmd
     * @param body  the frame's payload; not copied
     * @return what became of it, per user
     */
    CompletionStage<PushOutcome> toUsers(Collection<String> users, int cmd, byte[] body);

    /**
     * @param cmd  the frame's cmd
     * @param body the frame's payload; not copied
     * @return what became of it: every connection that has a logged-in user gets the frame
     */
    CompletionStage<PushOutcome> toAll(int cmd, byte[] body);

    /**
     * Sends the users' connections a last frame, then closes them once it is written (their disconnect
     * handlers run with {@link DisconnectReason#CLOSED_BY_PUSH}).
     *
     * @param users the user ids
     * @param cmd   the last frame's cmd
     * @param body  the last frame's payload; not copied
     * @return what became of it, per user
     */
    CompletionStage<PushOutcome> closeUsers(Collection<String> users, int cmd, byte[] body);

    /**
     * Closes the users' connections without a last frame.
     *
     * @param users the user ids
     * @return what became of it, per user
     */
    CompletionStage<PushOutcome> closeUsers(Collection<String> users);
}
