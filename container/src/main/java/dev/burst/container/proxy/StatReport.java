package dev.burst.container.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.plugin.Generation;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.TimerCount;
import dev.burst.container.protocol.WireMessage.TimerReport;
import dev.burst.container.proxy.box.BoxServer;
import dev.burst.container.proxy.box.BoxStats;
import dev.burst.container.proxy.dispatch.GroupPool;
import dev.burst.container.proxy.dispatch.GroupStats;
import dev.burst.container.proxy.dispatch.Latency;
import dev.burst.container.proxy.dispatch.PoolWorker;
import dev.burst.container.proxy.users.Users;
import dev.burst.container.proxy.ws.WsStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Builds the admin API's views of the proxy: stat (with burst's field names), workers, plugins,
 * version, the per-second history ({@link StatSampler}) and the Prometheus exposition. Read-only; called
 * on admin request threads (the sampler it owns ticks on the proxy's timer).
 */
final class StatReport {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Dispatcher dispatcher;
    private final WorkerSessions sessions;
    private final Reloader reloader;
    private final MasterView fromMaster;
    private final Supplier<Optional<BoxServer>> box;
    private final Supplier<Optional<HttpListeners>> http;
    private final Instant started;
    private final StatSampler sampler;
    private final ProcessRss rss = new ProcessRss();

    StatReport(Dispatcher dispatcher, WorkerSessions sessions, Reloader reloader, MasterView fromMaster,
               Supplier<Optional<BoxServer>> box, Supplier<Optional<HttpListeners>> http, Instant started) {
        this.dispatcher = dispatcher;
        this.sessions = sessions;
        this.reloader = reloader;
        this.fromMaster = fromMaster;
        this.box = box;
        this.http = http;
        this.started = started;
        this.sampler = StatSampler.of(dispatcher);
    }

    /** Starts the per-second samples of {@code GET /admin/stat/history}, on the proxy's timer. */
    void sampleEverySecond(ScheduledExecutorService timer) {
        sampler.everySecond(timer);
    }

    /**
     * @param afterSecond a Unix second; 0 for all
     * @return the samples after it, and the busiest cmds of the newest one
     */
    ObjectNode history(long afterSecond) {
        return sampler.json(afterSecond);
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

    private long clients() {
        return dispatcher.clients.get() + box.get().map(b -> (long) b.stats().open()).orElse(0L)
                + http.get().flatMap(HttpListeners::webSockets).map(w -> (long) w.stats().open()).orElse(0L);
    }

    ObjectNode stat(long authFailures) {
        ObjectNode s = JSON.createObjectNode();
        s.put("uptime_seconds", uptimeSeconds());
        s.put("generation", dispatcher.generation().number());
        s.put("clients", clients());
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
        var degraded = fromMaster.degraded();
        for (GroupPool g : dispatcher.groups().values()) {
            GroupStats st = g.stats();
            List<PoolWorker> links = g.workers();
            int gWorkers = (int) links.stream().filter(w -> w.state() != PoolWorker.State.EXITED).count();
            int gIdle = g.idleCount();
            int gBusy = (int) links.stream().filter(PoolWorker::busy).count();
            int gReady = (int) links.stream().filter(w -> w.state() == PoolWorker.State.READY).count();
            int gPending = g.pendingCount();
            ObjectNode gn = groups.putObject(g.config().name());
            gn.put("workers", gWorkers);
            gn.put("ready_workers", gReady);
            gn.put("max_workers", g.config().maxWorkers());
            gn.put("max_pending", g.config().maxPending());
            gn.put("idle_workers", gIdle);
            gn.put("busy_workers", gBusy);
            gn.put("pending_tasks", gPending);
            gn.put("pending_sources", g.pendingSources());
            gn.put("discard_tasks", st.discards.sum());
            gn.put("client_req", st.requests.sum());
            gn.put("client_rsp", st.responses.sum());
            gn.put("worker_req", st.workerRequests.sum());
            gn.put("worker_rsp", st.workerResponses.sum());
            gn.put("prefetch", g.config().prefetch());
            gn.put("prefetched", st.prefetched.sum());
            gn.put("requeued", st.requeued.sum());
            gn.put("rejects", st.rejects.sum());
            gn.put("timeouts", st.timeouts.sum());
            gn.put("stuck_ticks", st.stuckTicks.sum());
            gn.put("workers_lost", st.workersLost.sum());
            gn.put("workers_quarantined", st.quarantined.sum());
            gn.put("errors", st.errors.sum());
            gn.put("handler_errors", st.handlerErrors.sum());
            gn.put("degraded", degraded.containsKey(g.config().name()));
            if (degraded.containsKey(g.config().name())) {
                gn.put("degraded_reason", degraded.get(g.config().name()));
            }
            latency(gn.putObject("latency_ms"), st.latency());
            keys(gn, g);
            ObjectNode gt = gn.putObject("tasks_time");
            for (int i = 0; i < tasksTime.length; i++) {
                long n = st.tasksTime(i);
                tasksTime[i] += n;
                gt.put(bucketName(i), n);
            }
            st.cmds().forEach((id, c) -> {
                ObjectNode cn = cmds.putObject(Integer.toString(id));
                cn.put("group", g.config().name());
                cn.put("name", c.name());
                cn.put("requests", c.requests.sum());
                cn.put("errors", c.errors.sum());
                latency(cn.putObject("latency_ms"), c.latency());
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
        s.put("degraded", !degraded.isEmpty());
        ObjectNode tt = s.putObject("tasks_time");
        for (int i = 0; i < tasksTime.length; i++) {
            tt.put(bucketName(i), tasksTime[i]);
        }
        s.set("connections", connections());
        s.set("users", users());
        s.set("groups", groups);
        s.set("cmds", cmds);
        s.set("workers_detail", workers());
        s.set("plugins", pluginFiles());
        s.set("last_reload", reloader.last().map(StatReport::reload).orElse(null));
        return s;
    }

    /** Users online, logins, pushes and disconnect events. */
    private ObjectNode users() {
        Users u = dispatcher.users();
        ObjectNode n = JSON.createObjectNode();
        n.put("users_online", u.online());
        n.put("connections", u.connections());
        n.put("logins", u.logins.sum());
        n.put("logouts", u.logouts.sum());
        n.put("kicks", u.kicks.sum());
        ObjectNode p = n.putObject("pushes");
        p.put("requested", u.pushes.sum());
        p.put("delivered", u.pushDelivered.sum());
        p.put("offline", u.pushOffline.sum());
        p.put("dropped_slow", u.pushDroppedSlow.sum());
        ObjectNode d = n.putObject("disconnect_events");
        d.put("closed_with_user", u.disconnectEvents.sum());
        d.put("queued", dispatcher.disconnectQueued.sum());
        d.put("run", dispatcher.disconnectRun.sum());
        d.put("failed", dispatcher.disconnectFailed.sum());
        d.put("not_run", dispatcher.disconnectNotRun.sum());
        return n;
    }

    /** Client connections and every limit enforced on them. */
    private ObjectNode connections() {
        ObjectNode n = JSON.createObjectNode();
        n.put("http_in_progress", dispatcher.clients.get());
        http.get().ifPresent(h -> n.put("http_refused", h.refusedConnections()));
        n.put("workers_refused", sessions.workersRefused.sum());
        n.put("late_worker_answers", sessions.lateAnswers.sum());
        box.get().ifPresent(b -> {
            BoxStats st = b.stats();
            ObjectNode bn = n.putObject("box");
            bn.put("open", st.open());
            bn.put("accepted", st.accepted());
            bn.put("refused", st.refused());
            bn.put("closed_bad_frame", st.badFrames());
            bn.put("closed_frame_timeout", st.frameTimeouts());
            bn.put("closed_inbound_budget", st.budgetEvictions());
            bn.put("closed_slow_consumer", st.slowConsumers());
            bn.put("in_flight_pauses", st.inFlightPauses());
            bn.put("undeliverable_replies", st.undeliverable());
            bn.put("inbound_bytes", b.inboundBytes());
            bn.put("outbound_bytes", st.outboundBytes());
        });
        http.get().flatMap(HttpListeners::webSockets).ifPresent(ws -> {
            WsStats st = ws.stats();
            ObjectNode wn = n.putObject("ws");
            wn.put("open", st.open());
            wn.put("accepted", st.accepted());
            wn.put("closed_client", st.closedByClient());
            wn.put("closed_bad_frame", st.closedBadFrame());
            wn.put("closed_text_message", st.closedTextMessage());
            wn.put("closed_too_big", st.closedTooBig());
            wn.put("closed_frame_timeout", st.closedFrameTimeout());
            wn.put("closed_inbound_budget", st.closedInboundBudget());
            wn.put("closed_slow_consumer", st.closedSlowConsumer());
            wn.put("closed_kicked", st.closedKicked());
            wn.put("closed_by_push", st.closedByPush());
            wn.put("closed_stopping", st.closedStopping());
            wn.put("in_flight_pauses", st.inFlightPauses());
            wn.put("undeliverable_replies", st.undeliverable());
            wn.put("inbound_bytes", ws.inboundBytes());
            wn.put("outbound_bytes", st.outboundBytes());
        });
        return n;
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

    /** Busiest slots shown for a route=key group. */
    private static final int BUSIEST = 3;

    /**
     * A route=key group's slots: {@code "keys": {"slots": [{"slot":1,"queued":0,"ran":120}, ...],
     * "busiest": [slot numbers, most tasks first]}}. Nothing for route=any.
     */
    private static void keys(ObjectNode gn, GroupPool g) {
        List<GroupPool.SlotLoad> loads = g.slotLoads();
        if (loads.isEmpty()) {
            return;
        }
        ObjectNode kn = gn.putObject("keys");
        ArrayNode slots = kn.putArray("slots");
        for (GroupPool.SlotLoad l : loads) {
            slots.addObject().put("slot", l.slot()).put("queued", l.queued()).put("ran", l.ran());
        }
        ArrayNode busiest = kn.putArray("busiest");
        loads.stream()
                .sorted(Comparator.comparingLong(GroupPool.SlotLoad::ran).reversed()
                        .thenComparing(Comparator.comparingInt(GroupPool.SlotLoad::queued).reversed()))
                .limit(BUSIEST)
                .forEach(l -> busiest.add(l.slot()));
    }

    /** @return every worker, by group (configuration order), then slot */
    ArrayNode workers() {
        ArrayNode a = JSON.createArrayNode();
        long now = System.nanoTime();
        List<Long> pids = new ArrayList<>();
        for (GroupPool g : dispatcher.groups().values()) {
            List<PoolWorker> sorted = g.workers().stream()
                    .sorted(Comparator.comparingInt(PoolWorker::slot).thenComparingLong(PoolWorker::pid))
                    .toList();
            for (PoolWorker w : sorted) {
                ObjectNode n = a.addObject();
                n.put("id", w.id());
                n.put("group", w.group());
                n.put("slot", w.slot());
                n.put("pid", w.pid());
                n.put("state", w.state().name());
                n.put("generation", w.generation());
                n.put("uptime_seconds", Math.round((now - w.connectedNanos()) / 1e6) / 1000.0);
                n.put("tasks", w.served());
                n.put("held", w.held());
                AtomicInteger connections = sessions.connectionsPerSlot.get(w.id());
                n.put("restarts", connections == null ? 0 : Math.max(0, connections.get() - 1));
                n.put("rss_bytes", rss.bytes(w.pid(), now));
                pids.add(w.pid());
                TimerReport timers = sessions.timerReports.get(w.pid());
                if (timers != null) {
                    ArrayNode tn = n.putArray("timers");
                    for (TimerCount c : timers.plugins()) {
                        ObjectNode cn = tn.addObject();
                        cn.put("plugin", c.plugin());
                        cn.put("generation", timers.generation());
                        cn.put("runs", c.runs());
                        cn.put("failures", c.failures());
                        cn.put("skipped", c.skipped());
                        cn.put("late_p99_ms", c.lateP99Micros() / 1000.0);
                        cn.put("late_max_ms", c.lateMaxMicros() / 1000.0);
                    }
                }
            }
        }
        rss.retain(pids);
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
            size(fn, f);
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
                size(fn, f);
            });
        });
        return n;
    }

    static ObjectNode reload(ReloadReport r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("ok", r.ok());
        n.put("generation", r.serving());
        if (r.tried() > 0) {
            n.put("tried_generation", r.tried());
        } else {
            n.putNull("tried_generation");
        }
        n.put("swapped", r.swapped());
        ArrayNode f = n.putArray("failures");
        r.failures().forEach(f::add);
        ArrayNode d = n.putArray("details");
        for (Detail detail : r.details()) {
            d.addObject().put("subject", detail.subject()).put("outcome", detail.outcome());
        }
        n.put("summary", r.summary());
        n.put("started", r.started().toString());
        n.put("finished", r.finished().toString());
        if (r.operation() > 0) {
            n.put("operation", r.operation());
        }
        return n;
    }

    /** {@code "size"}: bytes of the file's cached copy (which has the source's content), null if it is gone. */
    private static void size(ObjectNode fn, Generation.CachedFile f) {
        try {
            fn.put("size", Files.size(Path.of(f.cached())));
        } catch (IOException e) {
            fn.putNull("size"); // pruned from the cache: the workers hold it loaded, the size is unknown
        }
    }

    /** Prometheus text exposition format 0.0.4: each metric family written once, as one group. */
    String prometheus(long authFailures) {
        PrometheusText p = new PrometheusText();
        p.family("burst_client_requests_total", "counter", "Requests received from clients, unknown cmds included.")
                .sample("", dispatcher.clientRequests.sum());
        p.family("burst_client_responses_total", "counter", "Answers sent to clients.")
                .sample("", dispatcher.clientResponses.sum());
        p.family("burst_unknown_cmd_total", "counter", "Requests for a cmd no group serves.")
                .sample("", dispatcher.unknownCmds.sum());
        p.family("burst_clients", "gauge", "Open Box and WebSocket connections plus HTTP requests in progress.").sample("", clients());
        p.family("burst_generation", "gauge", "Plugin generation new workers load.")
                .sample("", dispatcher.generation().number());
        p.family("burst_admin_auth_failures_total", "counter", "Admin calls refused for a missing or wrong token.")
                .sample("", authFailures);
        p.family("burst_reloads_total", "counter", "reload_workers by outcome.")
                .sample("{outcome=\"ok\"}", reloader.count(true))
                .sample("{outcome=\"failed\"}", reloader.count(false));
        p.family("burst_workers_refused_total", "counter",
                "Connections on the worker socket refused: no or a wrong spawn secret, or an unknown group.")
                .sample("", sessions.workersRefused.sum());
        http.get().ifPresent(h -> p.family("burst_http_connections_refused_total", "counter",
                "HTTP and admin connections refused at burst.http.max-connections or burst.admin.max-connections.")
                .sample("", h.refusedConnections()));
        box.get().ifPresent(b -> {
            BoxStats st = b.stats();
            p.family("burst_box_connections", "gauge", "Open Box connections.").sample("", st.open());
            p.family("burst_box_connections_refused_total", "counter",
                    "Box connections refused at burst.box.max-connections.").sample("", st.refused());
            p.family("burst_box_connections_closed_total", "counter", "Box connections closed by a limit, by reason.")
                    .sample("{reason=\"bad_frame\"}", st.badFrames())
                    .sample("{reason=\"frame_timeout\"}", st.frameTimeouts())
                    .sample("{reason=\"inbound_budget\"}", st.budgetEvictions())
                    .sample("{reason=\"slow_consumer\"}", st.slowConsumers());
            p.family("burst_box_inbound_bytes", "gauge", "Bytes held in unfinished inbound Box frames.")
                    .sample("", b.inboundBytes());
            p.family("burst_box_outbound_bytes", "gauge", "Bytes queued for Box clients that have not read them.")
                    .sample("", st.outboundBytes());
            p.family("burst_box_undeliverable_replies_total", "counter",
                    "Replies whose Box connection had closed before they could be written.")
                    .sample("", st.undeliverable());
        });
        p.gateway(users(), connections());

        PrometheusText.Family requests = p.family("burst_requests_total", "counter", "Answered requests per group and cmd.");
        PrometheusText.Family errors = p.family("burst_request_errors_total", "counter",
                "Requests answered with an error, per group and cmd.");
        PrometheusText.Family duration = p.family("burst_request_duration_seconds", "histogram",
                "Time from accepting a request to answering it.");
        PrometheusText.Family depth = p.family("burst_queue_depth", "gauge", "Tasks waiting in a group's queue.");
        PrometheusText.Family workerStates = p.family("burst_workers", "gauge", "Connected workers per group and state.");
        PrometheusText.Family rejects = p.family("burst_rejects_total", "counter",
                "Requests refused at once (queue full, stopping).");
        PrometheusText.Family discards = p.family("burst_discards_total", "counter",
                "Queued tasks dropped (queue-timeout, cleared).");
        PrometheusText.Family timeouts = p.family("burst_timeouts_total", "counter", "Tasks past task-timeout.");
        PrometheusText.Family stuckTicks = p.family("burst_stuck_ticks_total", "counter",
                "Workers killed for a timer tick past task-timeout.");
        PrometheusText.Family lost = p.family("burst_workers_lost_total", "counter", "Tasks whose worker died.");
        PrometheusText.Family prefetched = p.family("burst_prefetched_total", "counter",
                "Tasks sent to a busy worker to hold (burst.group.<g>.prefetch).");
        PrometheusText.Family requeued = p.family("burst_requeued_total", "counter",
                "Held tasks put back in the queue, unstarted, because their worker died.");
        PrometheusText.Family restarts = p.family("burst_worker_restarts_total", "counter",
                "Worker connections after a slot's first.");
        PrometheusText.Family degraded = p.family("burst_group_degraded", "gauge",
                "1 when some of a group's worker slots were given up after boot failures.");
        var degradedGroups = fromMaster.degraded();
        for (GroupPool g : dispatcher.groups().values()) {
            String gl = "group=\"" + g.config().name() + "\"";
            GroupStats st = g.stats();
            st.cmds().forEach((id, c) -> {
                String labels = gl + ",cmd=\"" + id + "\"";
                requests.sample("{" + labels + "}", c.requests.sum());
                errors.sample("{" + labels + "}", c.errors.sum());
                duration.histogram(labels, c.latency());
            });
            depth.sample("{" + gl + "}", g.pendingCount());
            List<PoolWorker> links = g.workers();
            long busy = links.stream().filter(PoolWorker::busy).count();
            int idleNow = g.idleCount();
            workerStates.sample("{" + gl + ",state=\"idle\"}", idleNow);
            workerStates.sample("{" + gl + ",state=\"busy\"}", busy);
            workerStates.sample("{" + gl + ",state=\"other\"}", Math.max(0, links.size() - busy - idleNow));
            rejects.sample("{" + gl + "}", st.rejects.sum());
            discards.sample("{" + gl + "}", st.discards.sum());
            timeouts.sample("{" + gl + "}", st.timeouts.sum());
            stuckTicks.sample("{" + gl + "}", st.stuckTicks.sum());
            lost.sample("{" + gl + "}", st.workersLost.sum());
            prefetched.sample("{" + gl + "}", st.prefetched.sum());
            requeued.sample("{" + gl + "}", st.requeued.sum());
            restarts.sample("{" + gl + "}", sessions.connectionsPerSlot.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(g.config().name() + "#"))
                    .mapToLong(e -> Math.max(0, e.getValue().get() - 1)).sum());
            degraded.sample("{" + gl + "}", degradedGroups.containsKey(g.config().name()) ? 1 : 0);
        }
        return p.text();
    }
}
