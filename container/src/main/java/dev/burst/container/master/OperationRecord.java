package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.Detail;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What happened to one process-level operation, as data. The master keeps the newest ones
 * ({@link Operations}); its log line ({@link #logLine()}) and the OPERATION frame the proxy serves through
 * the admin API ({@link #frame()}) are views of it.
 *
 * @param id       1, 2, 3 ... per master, in the order asked (refused ones too)
 * @param kind     what operation
 * @param trigger  who asked: {@code SIGHUP}, {@code admin API}, {@code max-requests} ...
 * @param request  the admin API call that asked for it (its ADMIN_COMMAND request id), else 0
 * @param asked    what was asked: {@code 2 worker(s), one at a time}, {@code game 2 -> 4} ...
 * @param state    running, done, failed or refused
 * @param started  when it was asked for
 * @param finished when it ended (at once for a refused one)
 * @param result   how far it got, or how it ended (a refusal: why)
 * @param details  per worker (or plugin file): what happened to it
 */
record OperationRecord(long id, Kind kind, String trigger, long request, String asked, State state, Instant started,
                       Optional<Instant> finished, String result, List<Detail> details) {

    /** The operations the master runs; on the wire by {@link #wireName()}. */
    enum Kind {
        RELOAD_WORKERS("reload_workers"),
        RESTART_WORKERS("restart_workers"),
        CHANGE_GROUP("change_group"),
        RECYCLE("recycle"),
        STOP("stop");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** @return its name in frames, logs and the admin API */
        String wireName() {
            return wireName;
        }
    }

    /** Where an operation is; on the wire by {@link #wireName()}. */
    enum State {
        RUNNING, DONE, FAILED, REFUSED;

        /** @return its name in frames, logs and the admin API */
        String wireName() {
            return name().toLowerCase();
        }
    }

    /** Longest outcome line and detail line sent to the proxy: a frame's strings are at most 64 KiB. */
    private static final int MAX_TEXT = 8000;
    /** Most detail lines sent to the proxy. */
    private static final int MAX_DETAILS = 200;

    /** @return one line: what was asked, and how it ended (or how far it got) */
    String outcome() {
        return asked + ": " + state.wireName() + (result.isEmpty() ? "" : ", " + result);
    }

    /** @return the log line: {@code restart_workers #4 (2 worker(s), one at a time): done, 2 of 2 worker(s); trigger SIGUSR2} */
    String logLine() {
        return kind.wireName() + " #" + id + " (" + asked + "): " + state.wireName() + (result.isEmpty() ? "" : ", " + result)
                + "; trigger " + trigger + (request != 0 ? ", request " + request : "");
    }

    /** @return the OPERATION frame for the proxy */
    WireMessage.Operation frame() {
        return new WireMessage.Operation(id, kind.wireName(), cut(trigger), state.wireName(), started.toEpochMilli(),
                finished.map(Instant::toEpochMilli).orElse(-1L), cut(outcome()), request,
                details.stream().limit(MAX_DETAILS).map(d -> new Detail(cut(d.subject()), cut(d.outcome()))).toList());
    }

    private static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "... (" + text.length() + " chars)";
    }
}
