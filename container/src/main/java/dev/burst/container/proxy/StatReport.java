package dev.burst.container.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.plugin.Generation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the admin API's JSON views of the proxy: stat (with burst's field names), workers, plugins,
 * version. Read-only; called on admin request threads.
 */
final class StatReport {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Dispatcher dispatcher;
    private final Reloader reloader;
    private final Instant started;

    StatReport(Dispatcher dispatcher, Reloader reloader, Instant started) {
        this.dispatcher = dispatcher;
        this.reloader = reloader;
        this.started = started;
    }

    ObjectNode version() {
        ObjectNode v = JSON.createObjectNode();
        v.put("burst", version(StatReport.class));
        v.put("java", Runtime.version().toString());
        v.put("pid", ProcessHandle.current().pid());
        v.put("uptime_seconds", uptimeSeconds());
        v.put("generation", dispatcher.generation().number());
        return v;
    }

    static String version(Class<?> c) {
        return Optional.ofNullable(c.getPackage().getImplementationVersion()).orElse("dev");
    }

    double uptimeSeconds() {
        return Duration.between(started, Instant.now()).toMillis() / 1000.0;
    }

    ObjectNode stat(long authFailures) {
        ObjectNode s = JSON.createObjectNode();
        s.put("uptime_seconds", uptimeSeconds());
        s.put("generation", dispatcher.generation().number());
        s.put("clients", dispatcher.clients.get());
        s.put("client_req", dispatcher.clientRequests.sum());
        s.put("client_rsp", dispatcher.clientResponses.sum());
        long workerReq = 0;
        long workerRsp = 0;
        int workers = 0;
        int idle = 0;
        int busy = 0;
        int pending = 0;
        long discards = 0;
        long rejects = 0;
        long timeouts = 0;
        long lost = 0;
        long[] tasksTime = new long[GroupStats.TASKS_TIME_MS.length + 1];
        ObjectNode groups = JSON.createObjectNode();
        ObjectNode cmds = JSON.createObjectNode();
        for (GroupQueue g : dispatcher.groups().values()) {
            GroupStats st = g.stats;
            List<WorkerLink> links = g.workers();
            int gWorkers = (int) links.stream().filter(w -> w.state() != WorkerLink.State.EXITED).count();
            int gIdle = g.idleCount();
            int gBusy = (int) links.stream().filter(WorkerLink::busy).count();
            int gPending = g.pendingCount();
            ObjectNode gn = groups.putObject(g.config.name());
            gn.put("workers", gWorkers);
            gn.put("idle_workers", gIdle);
            gn.put("busy_workers", gBusy);
            gn.put("pending_tasks", gPending);
            gn.put("discard_tasks", st.discards.sum());
            gn.put("client_req", st.requests.sum());
            gn.put("client_rsp", st.responses.sum());
            gn.put("worker_req", st.workerRequests.sum());
            gn.put("worker_rsp", st.workerResponses.sum());
            gn.put("rejects", st.rejects.sum());
            gn.put("timeouts", st.timeouts.sum());
            gn.put("workers_lost", st.workersLost.sum());
            gn.put("errors", st.errors.sum());
            latency(gn.putObject("latency_ms"), st.latency);
            ObjectNode gt = gn.putObject("tasks_time");
            for (int i = 0; i < st.tasksTime.length; i++) {
                long n = st.tasksTime[i].sum();
                tasksTime[i] += n;
                gt.put(bucketName(i), n);
            }
            st.cmds.forEach((id, c) -> {
                ObjectNode cn = cmds.putObject(Integer.toString(id));
                cn.put("group", g.config.name());
                cn.put("name", c.name);
                cn.put("requests", c.requests.sum());
                cn.put("errors", c.errors.sum());
                latency(cn.putObject("latency_ms"), c.latency);
            });
            workerReq += st.workerRequests.sum();
            workerRsp += st.workerResponses.sum();
            workers += gWorkers;
            idle += gIdle;
            busy += gBusy;
            pending += gPending;
            discards += st.discards.sum();
            rejects += st.rejects.sum();
            timeouts += st.timeouts.sum();
            lost += st.workersLost.sum();
        }
        s.put("worker_req", workerReq);
        s.put("worker_rsp", workerRsp);
        s.put("workers", workers);
        s.put("idle_workers", idle);
        s.put("busy_workers", busy);
        s.put("pending_tasks", pending);
        s.put("discard_tasks", discards);
        s.put("rejects", rejects);
        s.put("timeouts", timeouts);
        s.put("workers_lost", lost);
        s.put("unknown_cmds", dispatcher.unknownCmds.sum());
        s.put("admin_auth_failures", authFailures);
        ObjectNode tt = s.putObject("tasks_time");
        for (int i = 0; i < tasksTime.length; i++) {
            tt.put(bucketName(i), tasksTime[i]);
        }
        s.set("groups", groups);
        s.set("cmds", cmds);
        s.set("workers_detail", workers());
        s.set("plugins", pluginFiles());
        s.set("last_reload", reloader.last().map(StatReport::reload).orElse(null));
        return s;
    }

    static String bucketName(int i) {
        return i < GroupStats.TASKS_TIME_MS.length ? Long.toString(GroupStats.TASKS_TIME_MS[i]) : "more";
    }

    private static void latency(ObjectNode n, Latency l) {
        n.put("p50", round(l.percentileMillis(0.50)));
        n.put("p90", round(l.percentileMillis(0.90)));
        n.put("p99", round(l.percentileMillis(0.99)));
        n.put("max", round(l.maxMillis()));
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    ArrayNode workers() {
        ArrayNode a = JSON.createArrayNode();
        long now = System.nanoTime();
        for (GroupQueue g : dispatcher.groups().values()) {
            for (WorkerLink w : g.workers()) {
                ObjectNode n = a.addObject();
                n.put("id", w.id());
                n.put("group", w.group);
                n.put("slot", w.slot);
                n.put("pid", w.pid);
                n.put("state", w.state().name());
                n.put("generation", w.generation);
                n.put("uptime_seconds", Math.round((now - w.connectedNanos) / 1e6) / 1000.0);
                n.put("tasks", w.served);
                AtomicInteger connections = dispatcher.connectionsPerSlot.get(w.id());
                n.put("restarts", connections == null ? 0 : Math.max(0, connections.get() - 1));
                n.put("rss_bytes", rssBytes(w.pid));
            }
        }
        return a;
    }

    ObjectNode pluginFiles() {
        Generation g = dispatcher.generation();
        ObjectNode n = JSON.createObjectNode();
        n.put("generation", g.number());
        ArrayNode files = n.putArray("files");
        for (Generation.CachedFile f : g.files()) {
            ObjectNode fn = files.addObject();
            fn.put("plugin", f.plugin());
            fn.put("source", f.source());
            fn.put("sha256", f.sha256());
        }
        return n;
    }

    ObjectNode plugins() {
        Generation g = dispatcher.generation();
        ObjectNode n = JSON.createObjectNode();
        n.put("generation", g.number());
        ArrayNode plugins = n.putArray("plugins");
        g.plugins().forEach(p -> {
            ObjectNode pn = plugins.addObject();
            pn.put("name", p.name());
            ArrayNode files = pn.putArray("files");
            g.files().stream().filter(f -> f.plugin().equals(p.name())).forEach(f -> {
                ObjectNode fn = files.addObject();
                fn.put("source", f.source());
                fn.put("sha256", f.sha256());
            });
        });
        return n;
    }

    static ObjectNode reload(ReloadReport r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", r.ok());
        n.put("attempted", r.attempted());
        n.put("serving", r.serving());
        n.put("swapped", r.swapped());
        ArrayNode f = n.putArray("failures");
        r.failures().forEach(f::add);
        n.put("summary", r.summary());
        n.put("started", r.started().toString());
        n.put("finished", r.finished().toString());
        return n;
    }

    /** Resident set size of a process, from /proc (0 where there is none). */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone, or this is not Linux: no figure
        }
        return 0;
    }

    /** Prometheus text exposition format 0.0.4. */
    String prometheus(long authFailures) {
        StringBuilder out = new StringBuilder(4096);
        Prom p = new Prom(out);
        p.help("burst_client_requests_total", "counter", "Requests received from clients, unknown cmds included.");
        p.sample("burst_client_requests_total", "", dispatcher.clientRequests.sum());
        p.help("burst_client_responses_total", "counter", "Answers sent to clients.");
        p.sample("burst_client_responses_total", "", dispatcher.clientResponses.sum());
        p.help("burst_unknown_cmd_total", "counter", "Requests for a cmd no group serves.");
        p.sample("burst_unknown_cmd_total", "", dispatcher.unknownCmds.sum());
        p.help("burst_clients", "gauge", "Open Box connections plus HTTP requests in progress.");
        p.sample("burst_clients", "", dispatcher.clients.get());
        p.help("burst_generation", "gauge", "Plugin generation new workers load.");
        p.sample("burst_generation", "", dispatcher.generation().number());
        p.help("burst_admin_auth_failures_total", "counter", "Admin calls refused for a missing or wrong token.");
        p.sample("burst_admin_auth_failures_total", "", authFailures);
        long reloadsOk = reloader.count(true);
        long reloadsFailed = reloader.count(false);
        p.help("burst_reloads_total", "counter", "reload_workers by outcome.");
        p.sample("burst_reloads_total", "{outcome=\"ok\"}", reloadsOk);
        p.sample("burst_reloads_total", "{outcome=\"failed\"}", reloadsFailed);

        p.help("burst_requests_total", "counter", "Answered requests per group and cmd.");
        p.help("burst_request_errors_total", "counter", "Requests answered with an error, per group and cmd.");
        p.help("burst_request_duration_seconds", "histogram", "Time from accepting a request to answering it.");
        p.help("burst_queue_depth", "gauge", "Tasks waiting in a group's queue.");
        p.help("burst_workers", "gauge", "Connected workers per group and state.");
        p.help("burst_rejects_total", "counter", "Requests refused at once (queue full, stopping).");
        p.help("burst_discards_total", "counter", "Queued tasks dropped (queue-timeout, cleared).");
        p.help("burst_timeouts_total", "counter", "Tasks past task-timeout.");
        p.help("burst_workers_lost_total", "counter", "Tasks whose worker died.");
        p.help("burst_worker_restarts_total", "counter", "Worker connections after a slot's first.");
        for (GroupQueue g : dispatcher.groups().values()) {
            String gl = "group=\"" + g.config.name() + "\"";
            GroupStats st = g.stats;
            st.cmds.forEach((id, c) -> {
                String labels = "{" + gl + ",cmd=\"" + id + "\"}";
                p.sample("burst_requests_total", labels, c.requests.sum());
                p.sample("burst_request_errors_total", labels, c.errors.sum());
                p.histogram("burst_request_duration_seconds", gl + ",cmd=\"" + id + "\"", c.latency);
            });
            p.sample("burst_queue_depth", "{" + gl + "}", g.pendingCount());
            List<WorkerLink> links = g.workers();
            long busy = links.stream().filter(WorkerLink::busy).count();
            p.sample("burst_workers", "{" + gl + ",state=\"idle\"}", g.idleCount());
            p.sample("burst_workers", "{" + gl + ",state=\"busy\"}", busy);
            p.sample("burst_workers", "{" + gl + ",state=\"other\"}", Math.max(0, links.size() - busy - g.idleCount()));
            p.sample("burst_rejects_total", "{" + gl + "}", st.rejects.sum());
            p.sample("burst_discards_total", "{" + gl + "}", st.discards.sum());
            p.sample("burst_timeouts_total", "{" + gl + "}", st.timeouts.sum());
            p.sample("burst_workers_lost_total", "{" + gl + "}", st.workersLost.sum());
            long restarts = dispatcher.connectionsPerSlot.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(g.config.name() + "#"))
                    .mapToLong(e -> Math.max(0, e.getValue().get() - 1)).sum();
            p.sample("burst_worker_restarts_total", "{" + gl + "}", restarts);
        }
        return out.toString();
    }

    /** Writes metric families: HELP and TYPE once per name, then samples. */
    private static final class Prom {
        /** Bucket bounds: powers of two from 128 µs to about 8.4 s, exact edges of {@link Latency}. */
        private static final long[] BOUNDS_MICROS = new long[17];

        static {
            for (int i = 0; i < BOUNDS_MICROS.length; i++) {
                BOUNDS_MICROS[i] = 128L << i;
            }
        }

        private final StringBuilder out;

        Prom(StringBuilder out) {
            this.out = out;
        }

        void help(String name, String type, String help) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }

        void sample(String name, String labels, double value) {
            out.append(name).append(labels).append(' ');
            if (value == Math.rint(value) && !Double.isInfinite(value)) {
                out.append((long) value);
            } else {
                out.append(value);
            }
            out.append('\n');
        }

        void histogram(String name, String labels, Latency l) {
            for (long b : BOUNDS_MICROS) {
                sample(name + "_bucket", "{" + labels + ",le=\"" + (b / 1e6) + "\"}", l.countBelow(b));
            }
            sample(name + "_bucket", "{" + labels + ",le=\"+Inf\"}", l.count());
            sample(name + "_sum", "{" + labels + "}", l.sumSeconds());
            sample(name + "_count", "{" + labels + "}", l.count());
        }
    }
}
