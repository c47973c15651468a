package dev.burst.container.protocol;

/** burst's own result codes, shared by the Box ret field and the HTTP mapping. */
public final class RetCode {
    /** The handler answered normally. */
    public static final int OK = 0;
    /** No group serves the cmd (HTTP 404). */
    public static final int UNKNOWN_CMD = -10000;
    /** The handler threw (HTTP 500). */
    public static final int HANDLER_ERROR = -10001;
    /** Queue full, task waited past queue-timeout, or the server is draining (HTTP 503). */
    public static final int OVERLOADED = -10002;
    /** The task ran past its task-timeout (HTTP 504). */
    public static final int TIMED_OUT = -10003;
    /** The worker died while running the task (HTTP 502). */
    public static final int WORKER_LOST = -10004;
    /** In a pushed frame (cmd 0): the connection is closed because its user logged in elsewhere. */
    public static final int KICKED = -10005;
    /**
     * A group that routes by key (burst.group.&lt;g&gt;.keyless=reject) got a task without one: no logged-in
     * user and no Burst-Key header (HTTP 400). Not -10002: retrying the same request never helps.
     */
    public static final int KEY_REQUIRED = -10006;
    /** Admin authentication failed. */
    public static final int ADMIN_AUTH_FAILED = -20000;

    private RetCode() {
    }
}
