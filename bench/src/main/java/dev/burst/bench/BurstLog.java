package dev.burst.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads burst's log (master, proxy and workers in one stream): the lines the benchmark times worker starts
 * by, and the operations' outcome lines, read only where the admin API does not serve them ({@link Operations}).
 * Every line starts with a local timestamp {@code yyyy-MM-dd HH:mm:ss.SSS}.
 * <pre>
 * [master pid N] spawned worker default#1 (pid P)
 * [proxy pid N] worker default#1 pid P ready on generation G
 * [master pid N] reload_workers #I (...): done, generation K serving on W worker(s) in X ms; trigger SIGHUP
 * [master pid N] restart_workers #I (...): done, 2 of 2 worker(s)
 * </pre>
 */
final class BurstLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ");
    private static final Pattern SPAWNED = Pattern.compile("\\[master pid \\d+] spawned worker (\\S+) \\(pid (\\d+)\\)");
    private static final Pattern READY = Pattern.compile("\\[proxy pid \\d+] worker (\\S+) pid (\\d+) ready on generation (\\d+)");
    private static final Pattern RELOADED = Pattern.compile("\\[master pid \\d+] reload_workers #\\d+ \\(.*?\\): (?:done|failed), (.*?) in (\\d+) ms");
    private static final Pattern OPERATION = Pattern.compile("\\[master pid \\d+] (reload_workers|restart_workers) #(\\d+) \\((.*)\\): (done|failed)(.*)");

    /** One line with its time (epoch milliseconds; 0 for a line without a timestamp, a stack trace's). */
    record Line(int index, long epochMs, String text) {
    }

    /** A worker's start: spawned by the master, then ready in the proxy. */
    record WorkerStart(String worker, long pid, long spawnedMs, long readyMs) {
        long millis() {
            return readyMs - spawnedMs;
        }
    }

    private final Path file;

    BurstLog(Path file) {
        this.file = file;
    }

    /** @return every line so far */
    List<Line> lines() {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        List<Line> lines = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String t = raw.get(i);
            Matcher m = STAMP.matcher(t);
            long ms = m.find() ? LocalDateTime.parse(m.group(1), TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() : 0;
            lines.add(new Line(i, ms, t));
        }
        return lines;
    }

    int count() {
        return lines().size();
    }

    /** @return the lines from index {@code from} on */
    List<Line> since(int from) {
        List<Line> all = lines();
        return from >= all.size() ? List.of() : all.subList(from, all.size());
    }

    /** @return the last {@code n} lines, for error messages */
    String tail(int n) {
        List<Line> all = lines();
        StringBuilder sb = new StringBuilder();
        all.subList(Math.max(0, all.size() - n), all.size()).forEach(l -> sb.append(l.text()).append('\n'));
        return sb.toString();
    }

    /** @return each worker spawned in these lines, paired with its ready line (workers never ready are left out) */
    static List<WorkerStart> workerStarts(List<Line> lines) {
        Map<Long, Line> spawned = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        List<WorkerStart> starts = new ArrayList<>();
        for (Line l : lines) {
            Matcher s = SPAWNED.matcher(l.text());
            if (s.find()) {
                long pid = Long.parseLong(s.group(2));
                spawned.put(pid, l);
                names.put(pid, s.group(1));
                continue;
            }
            Matcher r = READY.matcher(l.text());
            if (r.find()) {
                long pid = Long.parseLong(r.group(2));
                Line sp = spawned.remove(pid);
                if (sp != null) {
                    starts.add(new WorkerStart(names.get(pid), pid, sp.epochMs(), l.epochMs()));
                }
            }
        }
        return starts;
    }

    /**
     * @return the reload and restart outcome lines among these: how {@link Operations} reads a burst whose
     *         admin API has no {@code /admin/operations}
     */
    static List<Operations.Outcome> outcomes(List<Line> lines) {
        List<Operations.Outcome> out = new ArrayList<>();
        for (Line l : lines) {
            Matcher r = RELOADED.matcher(l.text());
            if (r.find()) {
                boolean ok = r.group(1).contains("serving on") && !r.group(1).contains("failures");
                out.add(new Operations.Outcome("reload", l.epochMs(), ok, Long.parseLong(r.group(2)), r.group(1)));
                continue;
            }
            Matcher o = OPERATION.matcher(l.text());
            if (o.find() && o.group(1).equals("restart_workers")) {
                out.add(new Operations.Outcome("restart", l.epochMs(), o.group(4).equals("done"), -1, o.group(3) + ": " + o.group(4) + o.group(5)));
            }
        }
        return out;
    }

    /** @return the first line containing the text, from index {@code from} on */
    Optional<Line> find(String text, int from) {
        return since(from).stream().filter(l -> l.text().contains(text)).findFirst();
    }
}
