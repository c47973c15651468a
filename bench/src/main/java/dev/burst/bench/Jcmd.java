package dev.burst.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jcmd} of the JDK that runs burst's processes (the sibling of their {@code java}): diagnostic
 * commands sent to a JVM by pid. Runs on the caller's thread; each call waits for jcmd, 60 s at most.
 */
final class Jcmd {

    /** A heap's top line: "DefNew total 116224K, used 0K [...", "garbage-first heap ... used 2912K", "ZHeap used 4M, ...". */
    private static final Pattern USED = Pattern.compile("\\bused (\\d+)([KMG])\\b");

    private final Path jcmd;

    /** @param java the java that runs the target processes; jcmd is its sibling */
    Jcmd(Path java) {
        this.jcmd = java.resolveSibling("jcmd");
    }

    /** @return what jcmd printed */
    String run(long pid, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /**
     * A full GC ({@code GC.run}), then the heap in use after it ({@code GC.heap_info}): the live objects.
     *
     * @return bytes
     */
    long liveHeapBytes(long pid) throws IOException, InterruptedException {
        run(pid, "GC.run");
        String info = run(pid, "GC.heap_info");
        return heapUsedBytes(info).orElseThrow(() -> new IOException("no 'used N' in jcmd " + pid + " GC.heap_info:\n" + info));
    }

    /**
     * @param heapInfo {@code GC.heap_info}'s output, from any collector: each generation or heap is a line
     *                 at the left margin saying "used N[KMG]" (the indented lines are its spaces)
     * @return the sum of those, in bytes; empty when none is found
     */
    static OptionalLong heapUsedBytes(String heapInfo) {
        long sum = 0;
        boolean found = false;
        for (String line : heapInfo.lines().toList()) {
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0)) || line.startsWith("Metaspace")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                long v = Long.parseLong(m.group(1));
                sum += switch (m.group(2)) {
                    case "K" -> v << 10;
                    case "M" -> v << 20;
                    default -> v << 30;
                };
                found = true;
            }
        }
        return found ? OptionalLong.of(sum) : OptionalLong.empty();
    }
}
