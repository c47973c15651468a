package dev.burst.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * JDK Flight Recorder in burst's processes, through {@code jcmd} of the JDK that runs them
 * ({@code JFR.start settings=profile}, {@code JFR.stop filename=...}), and a summary of each recording's
 * {@code jdk.ExecutionSample} events: the hottest methods on top of the stack (self), the methods most
 * often anywhere on it (inclusive, each counted once per sample), the hottest stacks, and samples per
 * thread kind.
 */
final class Profiler {

    private static final String CPU_TIME = "jdk.CPUTimeSample";

    private final Jcmd jcmd;

    /** @param java the java that runs the profiled processes; jcmd is its sibling */
    Profiler(Path java) {
        this.jcmd = new Jcmd(java);
    }

    /**
     * Starts a recording with the profile settings plus, where the JDK has it (25+, Linux), the CPU-time
     * sampler (JEP 509), which also sees time spent in system calls.
     */
    void start(long pid) throws IOException, InterruptedException {
        try {
            jcmd.run(pid, "JFR.start", "name=bench", "settings=profile", "jdk.CPUTimeSample#enabled=true",
                    "jdk.CPUTimeSample#throttle=2000/s");
        } catch (IOException e) {
            jcmd.run(pid, "JFR.start", "name=bench", "settings=profile");
        }
    }

    void stop(long pid, Path file) throws IOException, InterruptedException {
        jcmd.run(pid, "JFR.stop", "name=bench", "filename=" + file);
    }

    /**
     * @param recording a .jfr file
     * @param top       how many entries per list
     * @return samples, self, inclusive, stacks and threads, as JSON-ready data
     */
    static Map<String, Object> summarize(Path recording, int top) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> stacks = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        boolean cpuTime = events.stream().anyMatch(e -> e.getEventType().getName().equals(CPU_TIME));
        String kind = cpuTime ? CPU_TIME : "jdk.ExecutionSample";
        int samples = 0;
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals(kind)) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            // A CPU-time sample stands for its sampling period (1 ms, or longer when throttled): weigh it so.
            int weight = cpuTime ? (int) Math.max(1, e.getDuration("samplingPeriod").toMillis()) : 1;
            samples += weight;
            List<RecordedFrame> frames = st.getFrames();
            self.merge(method(frames.get(0)), weight, Integer::sum);
            Set<String> once = new HashSet<>();
            for (RecordedFrame fr : frames) {
                if (once.add(method(fr))) {
                    inclusive.merge(method(fr), weight, Integer::sum);
                }
            }
            StringBuilder stack = new StringBuilder();
            for (int i = 0; i < Math.min(6, frames.size()); i++) {
                stack.append(i == 0 ? "" : " <- ").append(method(frames.get(i)));
            }
            stacks.merge(stack.toString(), weight, Integer::sum);
            RecordedThread t = e.getThread(cpuTime ? "eventThread" : "sampledThread");
            threads.merge(threadKind(t), weight, Integer::sum);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", kind + (cpuTime ? " (weighted by sampling period, ms of CPU)" : ""));
        m.put("samples", samples);
        m.put("threads", topOf(threads, top, samples));
        m.put("self", topOf(self, top, samples));
        m.put("inclusive", topOf(inclusive, top, samples));
        m.put("stacks", topOf(stacks, Math.min(top, 15), samples));
        return m;
    }

    /** @return the summary as text, one list after the other, for a .txt beside the .jfr */
    @SuppressWarnings("unchecked")
    static String text(String title, Map<String, Object> summary) {
        StringBuilder sb = new StringBuilder(title).append(": ").append(summary.get("samples")).append(" samples of ")
                .append(summary.get("event")).append('\n');
        for (String list : List.of("threads", "self", "inclusive", "stacks")) {
            sb.append("\n").append(list).append(":\n");
            for (Map<String, Object> e : (List<Map<String, Object>>) summary.get(list)) {
                sb.append(String.format("  %5.1f%%  %s%n", (Double) e.get("pct"), e.get("name")));
            }
        }
        return sb.toString();
    }

    private static List<Map<String, Object>> topOf(Map<String, Integer> counts, int top, int total) {
        return counts.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .limit(top)
                .map(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", e.getKey());
                    m.put("samples", e.getValue());
                    m.put("pct", Math.round(1000.0 * e.getValue() / Math.max(1, total)) / 10.0);
                    return m;
                })
                .toList();
    }

    private static String method(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    /** "box-read 127.0.0.1:5123" -> "box-read", "ForkJoinPool-1-worker-2" -> "ForkJoinPool-worker", virtual threads marked. */
    private static String threadKind(RecordedThread t) {
        if (t == null) {
            return "?";
        }
        String name = t.getJavaName() == null ? t.getOSName() : t.getJavaName();
        String kind = name.isEmpty() ? "(unnamed)" : name.split(" ")[0].replaceAll("-?\\d+", "");
        return (t.isVirtual() ? "virtual " : "") + kind;
    }

    static void writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
