package dev.burst.container.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Timers that never fire by themselves: tests see what the master scheduled and fire it by hand. */
final class FakeTimers implements Timers {

    /** One scheduled event. */
    record Scheduled(Duration delay, Event event) {
    }

    /** What the master asked for once, in order; fired ones are removed. */
    final List<Scheduled> scheduled = new ArrayList<>();
    /** What the master asked for periodically. */
    final List<Scheduled> periodic = new ArrayList<>();
    boolean closed;

    @Override
    public void after(Duration delay, Event event) {
        scheduled.add(new Scheduled(delay, event));
    }

    @Override
    public void every(Duration period, Event event) {
        periodic.add(new Scheduled(period, event));
    }

    @Override
    public void close() {
        closed = true;
    }

    /** @return the scheduled events of this type, removed as if they had fired */
    <E extends Event> List<E> take(Class<E> type) {
        List<E> due = new ArrayList<>();
        scheduled.removeIf(s -> {
            if (type.isInstance(s.event())) {
                due.add(type.cast(s.event()));
                return true;
            }
            return false;
        });
        return due;
    }

    /** @return the delays of the scheduled events of this type, oldest first */
    List<Duration> delays(Class<? extends Event> type) {
        return scheduled.stream().filter(s -> type.isInstance(s.event())).map(Scheduled::delay).toList();
    }
}
