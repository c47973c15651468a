package dev.burst.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What Linux's /proc tells about a process: resident memory, CPU time used, command line, open files and
 * the connections it holds; and the machine's CPU time, to see how busy the whole box was during a
 * measurement. Runs on the caller's thread.
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

    /**
     * Counts the TCP connections a process holds on one of its ports from the given peer addresses: the
     * sockets in its file table (/proc/PID/fd, "socket:[inode]") whose /proc/PID/net/tcp or tcp6 entry
     * has that local port and one of those remote addresses. Unlike the kernel's list of established
     * connections, this leaves out those still waiting in the listener's backlog, not yet accepted.
     *
     * @return the count; 0 when the process is gone
     */
    static long acceptedFrom(long pid, int localPort, Set<InetAddress> peers) {
        Set<Long> inodes = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (Stream<Path> list = Files.list(fds)) {
            list.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // Closed meanwhile: not held.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
        long count = 0;
        for (String table : List.of("tcp", "tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "net", table))) {
                count += lines.skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(f -> f.length > 9 && inodes.contains(Long.parseLong(f[9])))
                        .filter(f -> port(f[1]) == localPort && peers.contains(address(f[2])))
                        .count();
            } catch (IOException | UncheckedIOException e) {
                // No IPv6 (or no IPv4) table: nothing held there.
            }
        }
        return count;
    }

    /** @return the port of "0100007F:9E3C" */
    private static int port(String hexAddressAndPort) {
        return Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
    }

    /** @return the address of "0200007F:D2F4" or "0000000000000000FFFF00000200007F:D2F4" (32-bit words, little-endian) */
    private static InetAddress address(String hexAddressAndPort) {
        String hex = hexAddressAndPort.substring(0, hexAddressAndPort.indexOf(':'));
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            long v = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                b[word * 4 + i] = (byte) (v >>> (8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(b);     // a v4-mapped IPv6 address comes back as the IPv4 one
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hexAddressAndPort, e);
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

    /**
     * System calls that read or write (read, readv, write, writev ... on files and sockets alike; not
     * recvmsg/sendmsg) a process made since it started, over all its threads, from /proc/PID/io.
     */
    record Io(long readCalls, long writeCalls) {

        /** @return the calls made between an earlier sample and this one */
        Io minus(Io earlier) {
            return new Io(readCalls - earlier.readCalls, writeCalls - earlier.writeCalls);
        }

        /** @return the calls per unit of work (an answered request, a delivered frame); zeros for no units */
        Calls per(long units) {
            return units <= 0 ? new Calls(0, 0) : new Calls((double) readCalls / units, (double) writeCalls / units);
        }
    }

    /**
     * Read-type and write-type system calls (those /proc/PID/io counts, see {@link Io}) per unit of work.
     * Not every system call: epoll_wait, futex, recvmsg/sendmsg and the like are not among them.
     */
    record Calls(double reads, double writes) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("read", reads);
            m.put("write", writes);
            return m;
        }
    }

    /** @return the process's read and write system calls, if it is alive and /proc lets us read them */
    static Optional<Io> io(long pid) {
        try {
            return ioOf(Files.readString(Path.of("/proc", Long.toString(pid), "io")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return {@code syscr} and {@code syscw} of a /proc/PID/io text, if it has both */
    static Optional<Io> ioOf(String text) {
        long r = -1;
        long w = -1;
        for (String line : text.split("\n")) {
            String[] kv = line.split(":\\s*", 2);
            if (kv.length == 2 && kv[0].equals("syscr")) {
                r = Long.parseLong(kv[1].trim());
            } else if (kv.length == 2 && kv[0].equals("syscw")) {
                w = Long.parseLong(kv[1].trim());
            }
        }
        return r < 0 || w < 0 ? Optional.empty() : Optional.of(new Io(r, w));
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
