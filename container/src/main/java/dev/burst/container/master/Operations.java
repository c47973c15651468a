package dev.burst.container.master;

import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.master.OperationRecord.State;
import dev.burst.container.protocol.WireMessage.Detail;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The master's operation history: every operation asked for becomes a record here (refused ones too),
 * the newest {@value #KEPT} are kept (an operation still running is never dropped for a newer one). Each change is logged (opening, ending, refusal) and handed to the
 * listener, which sends it to the proxy.
 *
 * <p>An operation over a known number of workers (restart_workers) counts them: it ends by itself once
 * every one was handled, failed if any of them failed.
 *
 * <p>Only the master's loop thread uses it.
 */
final class Operations {

    private static final System.Logger LOG = System.getLogger(Operations.class.getName());
    /** How many records are kept. */
    static final int KEPT = 100;

    /** The count of an operation over a known number of workers. */
    private static final class Count {
        final int total;
        int handled;
        final List<String> failures = new ArrayList<>();

        Count(int total) {
            this.total = total;
        }

        String text() {
            return handled + " of " + total + " worker(s)"
                    + (failures.isEmpty() ? "" : "; failures: " + String.join("; ", failures));
        }
    }

    private final Map<Long, OperationRecord> records = new LinkedHashMap<>();
    private final Map<Long, Count> counts = new HashMap<>();
    private final Consumer<OperationRecord> onChange;
    private long ids;

    /** @param onChange receives every new or changed record */
    Operations(Consumer<OperationRecord> onChange) {
        this.onChange = onChange;
    }

    /**
     * Opens an operation.
     *
     * @param kind    what
     * @param trigger who asked
     * @param request the admin API's request id, else 0
     * @param asked   what was asked
     * @return its id
     */
    long open(Kind kind, String trigger, long request, String asked) {
        OperationRecord r = new OperationRecord(++ids, kind, trigger, request, asked, State.RUNNING, Instant.now(),
                Optional.empty(), "", List.of());
        put(r, true);
        return r.id();
    }

    /**
     * Opens an operation over a known number of workers; it ends once {@link #handled} was called that often.
     *
     * @return its id
     */
    long openCounted(Kind kind, String trigger, long request, String asked, int workers) {
        long id = ++ids;
        Count count = new Count(workers);
        counts.put(id, count);
        put(new OperationRecord(id, kind, trigger, request, asked, State.RUNNING, Instant.now(), Optional.empty(),
                count.text(), List.of()), true);
        if (workers == 0) {
            end(id, State.DONE, count.text(), List.of());
        }
        return id;
    }

    /**
     * Records an operation refused at once: nothing was done.
     *
     * @param why the reason, for whoever asked
     * @return its id
     */
    long refuse(Kind kind, String trigger, long request, String asked, String why) {
        Instant now = Instant.now();
        OperationRecord r = new OperationRecord(++ids, kind, trigger, request, asked, State.REFUSED, now,
                Optional.of(now), why, List.of());
        put(r, true);
        return r.id();
    }

    /**
     * One worker of a counted operation was handled.
     *
     * @param id      the operation
     * @param detail  what happened to it
     * @param failure why it failed, if it did
     */
    void handled(long id, Detail detail, Optional<String> failure) {
        Count count = counts.get(id);
        OperationRecord r = records.get(id);
        if (count == null || r == null || r.state() != State.RUNNING) {
            return;
        }
        count.handled++;
        failure.ifPresent(f -> count.failures.add(detail.subject() + ": " + f));
        if (count.handled >= count.total) {
            end(id, count.failures.isEmpty() ? State.DONE : State.FAILED, count.text(), List.of(detail));
        } else {
            put(with(r, State.RUNNING, count.text(), List.of(detail)), false);
        }
    }

    /**
     * Adds detail lines to a running operation.
     *
     * @param id      the operation
     * @param details what to add
     */
    void note(long id, List<Detail> details) {
        OperationRecord r = records.get(id);
        if (r != null && r.state() == State.RUNNING && !details.isEmpty()) {
            put(with(r, State.RUNNING, r.result(), details), false);
        }
    }

    /**
     * Ends a running operation; one that already ended stays as it was.
     *
     * @param id      the operation
     * @param state   done or failed
     * @param result  how it ended
     * @param details what to add to its details
     */
    void end(long id, State state, String result, List<Detail> details) {
        OperationRecord r = records.get(id);
        if (r == null || r.state() != State.RUNNING) {
            return;
        }
        Count count = counts.remove(id);
        String text = count != null && !result.startsWith(count.text()) ? count.text() + "; " + result : result;
        put(with(r, state, text, details), true);
    }

    /**
     * Ends a counted operation early (burst stops): failed, with what was done so far.
     *
     * @param id  the operation
     * @param why why it could not finish
     */
    void abandon(long id, String why) {
        end(id, State.FAILED, why, List.of());
    }

    /** @return the record with this id, if kept */
    Optional<OperationRecord> get(long id) {
        return Optional.ofNullable(records.get(id));
    }

    /** @return the running operation of this kind, if one runs (the oldest, if several) */
    Optional<OperationRecord> running(Kind kind) {
        return records.values().stream().filter(r -> r.kind() == kind && r.state() == State.RUNNING).findFirst();
    }

    /** @return every running operation */
    List<OperationRecord> running() {
        return records.values().stream().filter(r -> r.state() == State.RUNNING).toList();
    }

    /** @return the kept records, oldest first */
    List<OperationRecord> all() {
        return List.copyOf(records.values());
    }

    private static OperationRecord with(OperationRecord r, State state, String result, List<Detail> more) {
        List<Detail> details = r.details();
        if (!more.isEmpty()) {
            details = new ArrayList<>(r.details());
            details.addAll(more);
            details = List.copyOf(details);
        }
        return new OperationRecord(r.id(), r.kind(), r.trigger(), r.request(), r.asked(), state, r.started(),
                state == State.RUNNING ? Optional.empty() : Optional.of(Instant.now()), result, details);
    }

    private void put(OperationRecord r, boolean log) {
        records.put(r.id(), r);
        while (records.size() > KEPT) {
            // The oldest that has ended: a running operation must stay findable until it ends.
            long oldest = records.values().stream().filter(o -> o.state() != State.RUNNING).findFirst()
                    .orElse(records.values().iterator().next()).id();
            records.remove(oldest);
            counts.remove(oldest);
        }
        if (log) {
            LOG.log(switch (r.state()) {
                case RUNNING, DONE -> System.Logger.Level.INFO;
                case REFUSED -> System.Logger.Level.WARNING;
                case FAILED -> System.Logger.Level.ERROR;
            }, r.logLine());
        }
        onChange.accept(r);
    }
}
