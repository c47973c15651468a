package dev.burst.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time used by named groups of processes between {@link #open} and {@link #close}, from /proc, and
 * by the whole machine. Turned into CPU microseconds per request: on a 2-core machine, the sum over
 * client, proxy and workers is what bounds throughput.
 */
final class CpuWindow {

    private final Map<String, List<Long>> groups;
    private final Map<String, Long> startTicks = new LinkedHashMap<>();
    private final long[] machineStart;
    private Map<String, Long> used;
    private long[] machineUsed;

    private CpuWindow(Map<String, List<Long>> groups) {
        this.groups = groups;
        groups.forEach((name, pids) -> startTicks.put(name, ticks(pids)));
        this.machineStart = ProcStats.machineTicks();
    }

    /** @param groups role -> pids ("proxy" -> [pid], "workers" -> [pid, pid], "client" -> [own pid]) */
    static CpuWindow open(Map<String, List<Long>> groups) {
        return new CpuWindow(groups);
    }

    /** Takes the end sample. */
    void close() {
        used = new LinkedHashMap<>();
        groups.forEach((name, pids) -> used.put(name, ticks(pids) - startTicks.get(name)));
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
        Map<String, Double> perRequest = new LinkedHashMap<>();
        long ours = 0;
        for (var e : all.entrySet()) {
            ours += e.getValue();
            perRequest.put(e.getKey(), stats.requests() == 0 ? 0 : e.getValue() * 1e6 / ProcStats.TICKS_PER_SECOND / stats.requests());
        }
        double busy = machineUsed[1] == 0 ? 0 : 100.0 * machineUsed[0] / machineUsed[1];
        double other = machineUsed[1] == 0 ? 0 : 100.0 * Math.max(0, machineUsed[0] - ours) / machineUsed[1];
        return new Scenario.Side(stats, perRequest, busy, other);
    }

    private static long ticks(List<Long> pids) {
        return pids.stream().mapToLong(ProcStats::cpuTicks).sum();
    }
}
