package dev.burst.container.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.protocol.WireMessage;
import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.Operation;
import dev.burst.container.proxy.dispatch.Effects;
import dev.burst.container.proxy.dispatch.GroupPool;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The admin REST API on its own listener: {@code /admin/*} needs {@code Authorization: Bearer <token>}
 * (401 otherwise, counted), {@code /metrics} too; {@code /health/live} and {@code /health/ready} do not,
 * so load balancers can probe them.
 *
 * <p>Operations (reload, restart, change_group, stop) are the master's: the call sends an ADMIN_COMMAND
 * with a request id, and the master answers with the record of the operation it opened (or refused);
 * {@code /admin/reload} waits for that record to end, the others answer 202 with its id at once.
 * {@code /admin/operations} serves the master's records. Users and push ({@code /admin/push},
 * {@code /admin/users}) are {@link AdminUsers}'. The dashboard's page and its static files
 * ({@code /admin/ui}, {@link AdminUi}) need no token: they hold no data, and every call they make sends it.
 *
 * <p>Threads: each request on its own Helidon virtual thread.
 */
final class AdminApi {

    private static final HeaderName WWW_AUTHENTICATE = HeaderNames.create("WWW-Authenticate");
    private static final Duration OPEN_WAIT = Duration.ofSeconds(10);
    private static final Duration RELOAD_WAIT = Duration.ofMinutes(10);

    private final Dispatcher dispatcher;
    private final StatReport report;
    private final AdminToken token;
    private final Reloader reloader;
    private final MasterView fromMaster;
    private final Consumer<WireMessage> toMaster;
    private final AdminUsers users;
    private final AdminUi ui = new AdminUi();
    private final AtomicLong authFailures = new AtomicLong();
    private volatile boolean stopping;

    AdminApi(Dispatcher dispatcher, StatReport report, AdminToken token, Reloader reloader, MasterView fromMaster,
             Consumer<WireMessage> toMaster) {
        this.dispatcher = dispatcher;
        this.report = report;
        this.token = token;
        this.reloader = reloader;
        this.fromMaster = fromMaster;
        this.toMaster = toMaster;
        this.users = new AdminUsers(dispatcher.users());
    }

    void routing(HttpRouting.Builder r) {
        r.get("/health/live", (req, res) -> json(res, Status.OK_200, "{\"status\":\"UP\"}"));
        r.get("/health/ready", this::ready);
        r.get("/metrics", secured((req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(report.prometheus(authFailures.get()));
        }));
        r.get("/admin/stat", secured((req, res) -> json(res, Status.OK_200, report.stat(authFailures.get()))));
        r.get("/admin/stat/history", secured(this::history));
        r.get("/admin/version", secured((req, res) -> json(res, Status.OK_200, report.version())));
        r.get("/admin/workers", secured((req, res) -> {
            ObjectNode n = StatReport.JSON.createObjectNode();
            n.set("workers", report.workers());
            json(res, Status.OK_200, n);
        }));
        r.get("/admin/plugins", secured((req, res) -> json(res, Status.OK_200, report.plugins())));
        r.get("/admin/operations", secured(this::operations));
        r.get("/admin/operations/{id}", secured(this::operation));
        r.post("/admin/reload", secured(this::reload));
        r.post("/admin/restart", secured((req, res) -> ask(res, "restart_workers", "", 0, out -> out.put("accepted",
                "restart_workers"))));
        r.put("/admin/groups/{group}", secured(this::changeGroup));
        r.post("/admin/stop", secured((req, res) -> ask(res, "stop", "", 0, out -> out.put("accepted", "stop"))));
        r.post("/admin/clear", secured(this::clear));
        users.routing(r, this::secured);
        ui.routing(r);
    }

    /** Readiness follows the proxy's own stop. */
    void stopping() {
        stopping = true;
    }

    long authFailures() {
        return authFailures.get();
    }

    private Handler secured(Handler h) {
        return (req, res) -> {
            if (!token.accepts(req.headers().first(HeaderNames.AUTHORIZATION))) {
                authFailures.incrementAndGet();
                res.header(WWW_AUTHENTICATE, "Bearer");
                json(res, Status.UNAUTHORIZED_401, error("missing or wrong bearer token"));
                return;
            }
            h.handle(req, res);
        };
    }

    /**
     * Ready: not stopping, and every group has a ready worker — or was given up as degraded, which the
     * master does only under burst.start.degraded=serve, the operator's choice to serve what can be
     * served. Degraded groups are named, with why, either way.
     */
    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, String> degraded = fromMaster.degraded();
        boolean ready = !stopping && dispatcher.everyGroupReady(degraded.keySet());
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("status", ready ? "UP" : "DOWN");
        if (!degraded.isEmpty()) {
            ObjectNode d = out.putObject("degraded");
            degraded.forEach(d::put);
        }
        json(res, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, out);
    }

    private void operations(ServerRequest req, ServerResponse res) {
        Optional<String> limitText = req.query().first("limit").asOptional();
        int limit = Integer.MAX_VALUE;
        if (limitText.isPresent()) {
            try {
                limit = Integer.parseInt(limitText.get());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                json(res, Status.BAD_REQUEST_400, error("limit must be a positive integer, not " + limitText.get()));
                return;
            }
        }
        List<Operation> all = fromMaster.operations();
        ObjectNode out = StatReport.JSON.createObjectNode();
        ArrayNode list = out.putArray("operations");
        all.subList(Math.max(0, all.size() - limit), all.size()).forEach(o -> list.add(operationJson(o)));
        json(res, Status.OK_200, out);
    }

    /** {@code GET /admin/stat/history?since=T}: the per-second samples taken after Unix second T (all without). */
    private void history(ServerRequest req, ServerResponse res) {
        Optional<String> sinceText = req.query().first("since").asOptional();
        long since = 0;
        if (sinceText.isPresent()) {
            try {
                since = Long.parseLong(sinceText.get());
            } catch (NumberFormatException e) {
                since = -1;
            }
            if (since < 0) {
                json(res, Status.BAD_REQUEST_400, error("since must be a Unix time in seconds, not " + sinceText.get()));
                return;
            }
        }
        json(res, Status.OK_200, report.history(since));
    }

    private void operation(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Optional<Operation> o;
        try {
            o = fromMaster.operation(Long.parseLong(id));
        } catch (NumberFormatException e) {
            json(res, Status.BAD_REQUEST_400, error("an operation id is a number, not " + id));
            return;
        }
        if (o.isEmpty()) {
            json(res, Status.NOT_FOUND_404, error("no operation " + id));
            return;
        }
        json(res, Status.OK_200, operationJson(o.get()));
    }

    static ObjectNode operationJson(Operation o) {
        ObjectNode n = StatReport.JSON.createObjectNode();
        n.put("id", o.id());
        n.put("kind", o.kind());
        n.put("trigger", o.trigger());
        n.put("state", o.state());
        n.put("started", Instant.ofEpochMilli(o.startedMillis()).toString());
        if (o.finishedMillis() >= 0) {
            n.put("finished", Instant.ofEpochMilli(o.finishedMillis()).toString());
            n.put("duration_ms", o.finishedMillis() - o.startedMillis());
        } else {
            n.putNull("finished");
            n.putNull("duration_ms");
        }
        n.put("outcome", o.outcome());
        ArrayNode details = n.putArray("details");
        for (Detail d : o.details()) {
            details.addObject().put("subject", d.subject()).put("outcome", d.outcome());
        }
        return n;
    }

    /** reload_workers through the master; waits for the outcome: 200 done, 409 failed or refused. */
    private void reload(ServerRequest req, ServerResponse res) {
        long request = fromMaster.newRequest();
        CompletableFuture<Operation> done = fromMaster.whenFinished(request);
        toMaster.accept(new AdminCommand(request, "reload_workers", "", 0));
        Operation o;
        try {
            o = done.get(RELOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            fromMaster.forget(request);
            json(res, Status.GATEWAY_TIMEOUT_504, error("the master did not report the reload within " + RELOAD_WAIT));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json(res, Status.SERVICE_UNAVAILABLE_503, error("interrupted"));
            return;
        }
        Optional<ReloadReport> ran = reloader.last().filter(r -> r.operation() == o.id());
        ObjectNode out = ran.map(StatReport::reload).orElseGet(() -> {
            ObjectNode n = StatReport.JSON.createObjectNode();
            n.put("ok", false);
            n.put("generation", dispatcher.generation().number());
            n.putNull("tried_generation");
            n.put("swapped", 0);
            n.putArray("failures").add(o.outcome());
            n.put("summary", o.outcome());
            return n;
        });
        out.set("operation", operationJson(o));
        boolean ok = o.state().equals("done");
        out.put("ok", ok);
        json(res, ok ? Status.OK_200 : Status.CONFLICT_409, out);
    }

    /**
     * Asks the master for an operation and answers 202 with the id of the operation it opened (409 with
     * the reason when it refused it at once).
     */
    private void ask(ServerResponse res, String operation, String group, int workers, Consumer<ObjectNode> fields) {
        long request = fromMaster.newRequest();
        CompletableFuture<Operation> opened = fromMaster.whenOpened(request);
        toMaster.accept(new AdminCommand(request, operation, group, workers));
        ObjectNode out = StatReport.JSON.createObjectNode();
        fields.accept(out);
        try {
            Operation o = opened.get(OPEN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            out.put("operation", o.id());
            if (o.state().equals("refused")) {
                out.put("error", o.outcome());
                json(res, Status.CONFLICT_409, out);
                return;
            }
        } catch (ExecutionException | TimeoutException e) {
            fromMaster.forget(request); // the master is busy or stopping: accepted without an id
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        json(res, Status.ACCEPTED_202, out);
    }

    private void changeGroup(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("group");
        Optional<GroupConfig> group = Optional.ofNullable(dispatcher.groups().get(name)).map(GroupPool::config);
        if (group.isEmpty()) {
            json(res, Status.BAD_REQUEST_400, error("unknown group '" + name + "'; groups: " + dispatcher.groups().keySet()));
            return;
        }
        Optional<JsonNode> body = body(req);
        JsonNode workers = body.map(b -> b.get("workers")).orElse(null);
        if (workers == null || !workers.canConvertToInt() || !workers.isIntegralNumber()) {
            json(res, Status.BAD_REQUEST_400, error("the body must be JSON {\"workers\": N}"));
            return;
        }
        int n = workers.intValue();
        int max = group.get().maxWorkers();
        if (n < 0 || n > max) {
            json(res, Status.BAD_REQUEST_400, error("workers must be 0 to " + max + " (burst.group." + name
                    + ".max-workers), not " + n));
            return;
        }
        ask(res, "change_group", name, n, out -> out.put("group", name).put("workers", n));
    }

    private void clear(ServerRequest req, ServerResponse res) {
        Optional<String> name = body(req).map(b -> b.get("group")).filter(JsonNode::isTextual).map(JsonNode::asText);
        if (name.isEmpty()) {
            json(res, Status.BAD_REQUEST_400, error("the body must be JSON {\"group\": \"name\"}"));
            return;
        }
        GroupPool g = dispatcher.groups().get(name.get());
        if (g == null) {
            json(res, Status.BAD_REQUEST_400, error("unknown group '" + name.get() + "'"));
            return;
        }
        Effects fx = new Effects();
        int cleared = g.clear("cleared by the operator", fx);
        fx.run();
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("group", name.get());
        out.put("cleared", cleared);
        json(res, Status.OK_200, out);
    }

    private static Optional<JsonNode> body(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return Optional.empty();
        }
        try {
            JsonNode n = StatReport.JSON.readTree(req.content().as(String.class));
            return Optional.ofNullable(n).filter(JsonNode::isObject);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    static ObjectNode error(String message) {
        ObjectNode n = StatReport.JSON.createObjectNode();
        n.put("error", message);
        return n;
    }

    static void json(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }
}
