package dev.burst.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The consecutive time windows of a push run ("warmup", "alone", "echo-warmup", "beside-echo"), laid out
 * from one origin ({@link System#nanoTime()}): a frame belongs to the window in which it was read.
 * Immutable; any thread.
 *
 * @param origin  when the first window opens
 * @param windows the windows, in order, without gaps
 */
record PushWindows(long origin, List<Window> windows) {

    /** What a window is before it has an origin: a name, a length, and whether it is measured. */
    record Layout(String name, Duration length, boolean measured) {
        Layout {
            if (length.isNegative()) {
                throw new IllegalArgumentException("window " + name + " has a negative length " + length);
            }
        }
    }

    /** One window: [start, end) in nanoTime. */
    record Window(String name, long start, long end, boolean measured) {
        double seconds() {
            return (end - start) / 1e9;
        }
    }

    PushWindows {
        windows = List.copyOf(windows);
    }

    /** @return the windows of that layout, the first opening at {@code origin}; empty windows are left out */
    static PushWindows of(long origin, List<Layout> layout) {
        List<Window> w = new ArrayList<>();
        long t = origin;
        for (Layout l : layout) {
            if (l.length().isZero()) {
                continue;
            }
            long end = t + l.length().toNanos();
            w.add(new Window(l.name(), t, end, l.measured()));
            t = end;
        }
        return new PushWindows(origin, w);
    }

    /** @return when the last window closes */
    long end() {
        return windows.isEmpty() ? origin : windows.getLast().end();
    }

    /** @return the index of the window holding {@code t}: -1 before the first, {@code size()} after the last */
    int indexOf(long t) {
        if (t - origin < 0) {
            return -1;
        }
        for (int i = 0; i < windows.size(); i++) {
            if (t - windows.get(i).end() < 0) {
                return i;
            }
        }
        return windows.size();
    }

    /** @return the window of that name */
    Window window(String name) {
        return windows.stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no window '" + name + "' in " + windows));
    }

    int size() {
        return windows.size();
    }
}
