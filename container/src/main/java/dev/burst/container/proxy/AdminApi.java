package dev.burst.container.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.admin.AdminToken;
import dev.burst.container.config.GroupConfig;
import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin REST API on its own listener: {@code /admin/*} needs {@code Authorization: Bearer <token>}
 * (401 otherwise, counted), {@code /metrics} too; {@code /health/live} and {@code /health/ready} do not,
 * so load balancers can probe them. Traffic operations run here; process operations (restart,
 * change_group, stop) are sent to the master over the control socket and answered 202.
 *
 * <p>Threads: each request on its own Helidon virtual thread.
 */
final class AdminApi {

    private static final HeaderName WWW_AUTHENTICATE = HeaderNames.create("WWW-Authenticate");

    private final Dispatcher dispatcher;
    private final StatReport report;
    private final AdminToken token;
    private final Supplier<CompletableFuture<ReloadReport>> reload;
    private final Consumer<WireMessage> toMaster;
    private final AtomicLong authFailures = new AtomicLong();
    private volatile boolean stopping;

    AdminApi(Dispatcher dispatcher, StatReport report, AdminToken token,
             Supplier<CompletableFuture<ReloadReport>> reload, Consumer<WireMessage> toMaster) {
        this.dispatcher = dispatcher;
        this.report = report;
        this.token = token;
        this.reload = reload;
        this.toMaster = toMaster;
    }

    void routing(HttpRouting.Builder r) {
        r.get("/health/live", (req, res) -> json(res, Status.OK_200, "{\"status\":\"UP\"}"));
        r.get("/health/ready", this::ready);
        r.get("/metrics", secured((req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(report.prometheus(authFailures.get()));
        }));
        r.get("/admin/stat", secured((req, res) -> json(res, Status.OK_200, report.stat(authFailures.get()))));
        r.get("/admin/version", secured((req, res) -> json(res, Status.OK_200, report.version())));
        r.get("/admin/workers", secured((req, res) -> {
            ObjectNode n = StatReport.JSON.createObjectNode();
            n.set("workers", report.workers());
            json(res, Status.OK_200, n);
        }));
        r.get("/admin/plugins", secured((req, res) -> json(res, Status.OK_200, report.plugins())));
        r.post("/admin/reload", secured(this::reload));
        r.post("/admin/restart", secured((req, res) -> {
            toMaster.accept(new AdminCommand(0L, "restart_workers", "", 0));
            json(res, Status.ACCEPTED_202, "{\"accepted\":\"restart_workers\"}");
        }));
        r.put("/admin/groups/{group}", secured(this::changeGroup));
        r.post("/admin/stop", secured((req, res) -> {
            toMaster.accept(new AdminCommand(0L, "stop", "", 0));
            json(res, Status.ACCEPTED_202, "{\"accepted\":\"stop\"}");
        }));
        r.post("/admin/clear", secured(this::clear));
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

    private void ready(ServerRequest req, ServerResponse res) {
        boolean ready = !stopping && dispatcher.everyGroupReady();
        json(res, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\"}");
    }

    private void reload(ServerRequest req, ServerResponse res) {
        try {
            ReloadReport r = reload.get().get(10, TimeUnit.MINUTES);
            json(res, r.ok() ? Status.OK_200 : Status.CONFLICT_409, StatReport.reload(r));
        } catch (ExecutionException | TimeoutException e) {
            json(res, Status.INTERNAL_SERVER_ERROR_500, error("reload did not report: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json(res, Status.SERVICE_UNAVAILABLE_503, error("interrupted"));
        }
    }

    private void changeGroup(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("group");
        Optional<GroupConfig> group = Optional.ofNullable(dispatcher.groups().get(name)).map(g -> g.config);
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
        toMaster.accept(new AdminCommand(0L, "change_group", name, n));
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("group", name);
        out.put("workers", n);
        json(res, Status.ACCEPTED_202, out);
    }

    private void clear(ServerRequest req, ServerResponse res) {
        Optional<String> name = body(req).map(b -> b.get("group")).filter(JsonNode::isTextual).map(JsonNode::asText);
        if (name.isEmpty()) {
            json(res, Status.BAD_REQUEST_400, error("the body must be JSON {\"group\": \"name\"}"));
            return;
        }
        GroupQueue g = dispatcher.groups().get(name.get());
        if (g == null) {
            json(res, Status.BAD_REQUEST_400, error("unknown group '" + name.get() + "'"));
            return;
        }
        int cleared = g.rejectPending("cleared by the operator");
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

    private static ObjectNode error(String message) {
        ObjectNode n = StatReport.JSON.createObjectNode();
        n.put("error", message);
        return n;
    }

    private static void json(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }
}
