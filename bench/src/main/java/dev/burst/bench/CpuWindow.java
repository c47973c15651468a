package dev.burst.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time used by named groups of processes between {@link #open} and {@link #close}, from /proc, and
 * by the whole machine; also their read and write system calls (/proc/PID/io). Turned into CPU
 * microseconds per request (or per pushed frame): on a 2-core machine, the sum over client, proxy and
 * workers is what bounds throughput. Runs on the caller's thread.
 */
final class CpuWindow {

    private final Map<String, List<Long>> groups;
    private final Map<String, Long> startTicks = new LinkedHashMap<>();
    private final Map<String, Optional<ProcStats.Io>> startIo = new LinkedHashMap<>();
    private final long[] machineStart;
    private Map<String, Long> used;
    private Map<String, Optional<ProcStats.Io>> usedIo;
    private long[] machineUsed;

    private CpuWindow(Map<String, List<Long>> groups) {
        this.groups = groups;
        groups.forEach((name, pids) -> {
            startTicks.put(name, ticks(pids));
            startIo.put(name, io(pids));
        });
        this.machineStart = ProcStats.machineTicks();
    }

    /** @param groups role -> pids ("proxy" -> [pid], "workers" -> [pid, pid], "client" -> [own pid]) */
    static CpuWindow open(Map<String, List<Long>> groups) {
        return new CpuWindow(groups);
    }

    /** Takes the end sample. */
    void close() {
        used = new LinkedHashMap<>();
        usedIo = new LinkedHashMap<>();
        groups.forEach((name, pids) -> {
            used.put(name, ticks(pids) - startTicks.get(name));
            Optional<ProcStats.Io> end = io(pids);
            Optional<ProcStats.Io> start = startIo.get(name);
            usedIo.put(name, start.isPresent() && end.isPresent() ? Optional.of(end.get().minus(start.get())) : Optional.empty());
        });
        long[] m = ProcStats.machineTicks();
        machineUsed = new long[] {m[0] - machineStart[0], m[1] - machineStart[1]};
    }

    /**
     * @param requests     answered requests in the window
     * @param extraName    a group measured elsewhere (wrk's CPU, read from its shell), or null
     * @param extraTicks   its ticks
     * @return the side's result
     */
    Scenario.Side side(LoadStats stats, String extraName, long extraTicks) {
        Map<String, Long> all = new LinkedHashMap<>(used);
        if (extraName != null) {
            all.put(extraName, extraTicks);
        }
        long ours = all.values().stream().mapToLong(Long::longValue).sum();
        return new Scenario.Side(stats, perUnit(all, stats.requests()), syscallsPerUnit(stats.requests()), busyPct(), otherPct(ours));
    }

    /**
     * @return each group's read-type and write-type system calls per unit of work in the window, for the
     *         groups whose /proc/PID/io could be read at both ends (a process that died meanwhile has none)
     */
    Map<String, ProcStats.Calls> syscallsPerUnit(long units) {
        Map<String, ProcStats.Calls> m = new LinkedHashMap<>();
        usedIo.forEach((group, io) -> io.ifPresent(x -> m.put(group, x.per(units))));
        return m;
    }

    /** @return CPU microseconds per unit (a delivered frame ...) of each group */
    Map<String, Double> usPerUnit(long units) {
        return perUnit(used, units);
    }

    /** @return CPU seconds the group used in the window */
    double seconds(String group) {
        return used.getOrDefault(group, 0L) / ProcStats.TICKS_PER_SECOND;
    }

    /** @return the group's read and write system calls in the window, if /proc told them */
    Optional<ProcStats.Io> io(String group) {
        return usedIo.getOrDefault(group, Optional.empty());
    }

    /** @return how busy all cores were, percent of the machine */
    double busyPct() {
        return machineUsed[1] == 0 ? 0 : 100.0 * machineUsed[0] / machineUsed[1];
    }

    /** @return machine CPU none of the groups used (other processes, the kernel), percent of the machine */
    double otherPct() {
        return otherPct(used.values().stream().mapToLong(Long::longValue).sum());
    }

    private double otherPct(long ours) {
        return machineUsed[1] == 0 ? 0 : 100.0 * Math.max(0, machineUsed[0] - ours) / machineUsed[1];
    }

    private static Map<String, Double> perUnit(Map<String, Long> ticks, long units) {
        Map<String, Double> m = new LinkedHashMap<>();
        ticks.forEach((k, v) -> m.put(k, units == 0 ? 0 : v * 1e6 / ProcStats.TICKS_PER_SECOND / units));
        return m;
    }

    private static long ticks(List<Long> pids) {
        return pids.stream().mapToLong(ProcStats::cpuTicks).sum();
    }

    /** @return the summed system calls of the processes, if /proc tells them for every one */
    private static Optional<ProcStats.Io> io(List<Long> pids) {
        long r = 0;
        long w = 0;
        for (long pid : pids) {
            Optional<ProcStats.Io> io = ProcStats.io(pid);
            if (io.isEmpty()) {
                return Optional.empty();
            }
            r += io.get().readCalls();
            w += io.get().writeCalls();
        }
        return Optional.of(new ProcStats.Io(r, w));
    }
}
