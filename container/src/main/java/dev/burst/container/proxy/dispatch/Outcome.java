package dev.burst.container.proxy.dispatch;

import dev.burst.container.protocol.RetCode;
import java.nio.charset.StandardCharsets;

/**
 * How a task ended, as the client will be told.
 *
 * @param kind  what happened
 * @param ret   the ret code (the handler's own for REPLY, burst's for errors)
 * @param body  the reply payload (empty for errors and NO_REPLY)
 * @param error a short reason for errors, empty otherwise
 */
public record Outcome(Kind kind, int ret, byte[] body, String error) {

    private static final byte[] EMPTY = new byte[0];

    /** What happened to a task. */
    public enum Kind {
        /** the handler replied; HTTP 200 */
        REPLY(200),
        /** the handler returned without a reply; HTTP 204 */
        NO_REPLY(204),
        /** no group serves the cmd; HTTP 404 */
        UNKNOWN_CMD(404),
        /** the handler threw; HTTP 500 */
        HANDLER_ERROR(500),
        /** the worker died with the task; HTTP 502 */
        WORKER_LOST(502),
        /** a route=key group with keyless=reject got a task without a key; HTTP 400 */
        KEY_REQUIRED(400),
        /** queue full, waited too long, or draining; HTTP 503 */
        OVERLOADED(503),
        /** ran past task-timeout; HTTP 504 */
        TIMED_OUT(504);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** @return the HTTP status this maps to */
        public int httpStatus() {
            return httpStatus;
        }
    }

    /** @return the outcome of that name */
    public static Outcome reply(int ret, byte[] body) {
        return new Outcome(Kind.REPLY, ret, body, "");
    }

    /** @return the outcome of that name */
    public static Outcome noReply() {
        return new Outcome(Kind.NO_REPLY, RetCode.OK, EMPTY, "");
    }

    /** @return the outcome of that name */
    public static Outcome unknownCmd(String why) {
        return new Outcome(Kind.UNKNOWN_CMD, RetCode.UNKNOWN_CMD, EMPTY, why);
    }

    /** @return the outcome of that name */
    public static Outcome handlerError(byte[] why) {
        return new Outcome(Kind.HANDLER_ERROR, RetCode.HANDLER_ERROR, EMPTY, new String(why, StandardCharsets.UTF_8));
    }

    /** @return the outcome of that name */
    public static Outcome overloaded(String why) {
        return new Outcome(Kind.OVERLOADED, RetCode.OVERLOADED, EMPTY, why);
    }

    /** @return the outcome of that name */
    public static Outcome keyRequired(String why) {
        return new Outcome(Kind.KEY_REQUIRED, RetCode.KEY_REQUIRED, EMPTY, why);
    }

    /** @return the outcome of that name */
    public static Outcome timedOut(String why) {
        return new Outcome(Kind.TIMED_OUT, RetCode.TIMED_OUT, EMPTY, why);
    }

    /** @return the outcome of that name */
    public static Outcome workerLost(String why) {
        return new Outcome(Kind.WORKER_LOST, RetCode.WORKER_LOST, EMPTY, why);
    }

    /** @return whether the client gets an error rather than the handler's answer */
    public boolean isError() {
        return kind != Kind.REPLY && kind != Kind.NO_REPLY;
    }
}
