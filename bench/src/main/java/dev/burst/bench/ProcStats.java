package dev.burst.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What Linux's /proc tells about a process: resident memory, CPU time used, command line; and the
 * machine's CPU time, to see how busy the whole box was during a measurement.
 */
final class ProcStats {

    /** USER_HZ: /proc reports CPU times in these ticks per second (100 on every Linux we run on). */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** @return VmRSS of the process in KiB, if it is alive */
    static Optional<Long> rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return user + system CPU time of the process in ticks, or 0 when it is gone */
    static long cpuTicks(long pid) {
        try {
            return cpuTicksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), false);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * @param stat     a /proc/PID/stat line
     * @param children whether to return the waited-for children's CPU (cutime + cstime) instead of the own
     * @return ticks
     */
    static long cpuTicksOf(String stat, boolean children) {
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        int utime = children ? 13 : 11;      // field 14 (utime) / 16 (cutime), counted from state = 0 at field 3
        return Long.parseLong(f[utime]) + Long.parseLong(f[utime + 1]);
    }

    /** @return {busy, total} CPU ticks of the whole machine since boot, from /proc/stat */
    static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);   // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    /** @return the process's command line, arguments separated by spaces, or "" */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** @return how many files (sockets included) the process has open, if it is alive */
    static Optional<Long> openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return Optional.of(fds.count());
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** @return the process's soft limit of open files (RLIMIT_NOFILE, "Max open files" of /proc/PID/limits) */
    static Optional<Long> openFilesLimit(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return Optional.of(soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft));
                }
            }
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the 1-minute load average */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
