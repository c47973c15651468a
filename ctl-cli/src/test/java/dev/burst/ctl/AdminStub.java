package dev.burst.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for burst's admin API in unit tests: a JDK HttpServer on loopback that checks the bearer token
 * and answers the contract's JSON. Answers can be replaced per route; every request is recorded. A route may
 * end in {@code {id}}, which stands for any number in that segment.
 *
 * <p>Operations: {@code GET /admin/operations} lists {@link #OPERATIONS} (3 done, 4 failed, 5 refused, 6
 * running), honouring {@code ?limit=N}. Restart, change_group and stop accept as operations 12, 13 and 14;
 * operations 12 and 13 are running when first asked and done from then on (see {@link #operation}).
 * Users: u1, u2 and u3 are online (u2 on one Box connection, 7), nobody is not; a push to named users
 * answers as if u1 and u3 got it and nobody was offline, a push to all as if 3 connections got it.
 * Handlers run on the server's one dispatcher thread; the fields tests read are thread-safe.
 *
 * <p>{@code main(runDir)} serves until killed and writes {@code ports} and {@code admin.token} into the run
 * directory, for trying the console by hand.
 */
final class AdminStub implements AutoCloseable {

    static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The operations the server keeps, oldest first: done, failed, refused, running. */
    static final List<JsonNode> OPERATIONS = List.of(
            operation("""
                    {"id":3,"kind":"reload_workers","trigger":"SIGHUP","state":"done",
                     "started":"2026-11-30T15:00:00.123Z","finished":"2026-11-30T15:00:01.456Z","duration_ms":1333,
                     "outcome":"generation 2 serving on 2 worker(s)",
                     "details":[{"subject":"worker default#1 pid 4121","outcome":"swapped to generation 2"},
                                {"subject":"worker default#2 pid 4122","outcome":"swapped to generation 2"}]}"""),
            operation("""
                    {"id":4,"kind":"restart_workers","trigger":"SIGUSR2","state":"failed",
                     "started":"2026-11-30T15:10:00Z","finished":"2026-11-30T15:11:05.432Z","duration_ms":65432,
                     "outcome":"1 of 2 worker(s) replaced",
                     "details":[{"subject":"worker default#1 pid 4121","outcome":"replaced by pid 4131"},
                                {"subject":"worker default#2 pid 4122","outcome":"replacement failed at boot"}]}"""),
            operation("""
                    {"id":5,"kind":"reload_workers","trigger":"admin API","state":"refused",
                     "started":"2026-11-30T15:12:00Z","finished":"2026-11-30T15:12:00Z","duration_ms":0,
                     "outcome":"a reload is running (operation #4)","details":[]}"""),
            operation("""
                    {"id":6,"kind":"recycle","trigger":"max-requests","state":"running",
                     "started":"2026-11-30T15:20:00Z","finished":null,"duration_ms":null,"outcome":null,
                     "details":[]}"""));

    /** A recorded request; query is the raw query string, empty for none. */
    record Call(String method, String path, String query, String body, String authorization) {
    }

    /** A canned answer. */
    record Answer(int status, String json) {
    }

    private final HttpServer server;
    private final Map<String, Function<Call, Answer>> routes = new ConcurrentHashMap<>();
    /** The records of operations by id; each GET takes the next one, and the last one stays. */
    private final Map<Long, Deque<String>> operations = new ConcurrentHashMap<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** How many times /admin/stat was asked: each answer counts 10 more client_req per sample. */
    final AtomicInteger statCalls = new AtomicInteger();

    AdminStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        answer("GET /admin/stat", call -> new Answer(200, stat(statCalls.getAndIncrement())));
        answer("GET /admin/version", call -> new Answer(200, """
                {"burst":"0.1.0-SNAPSHOT","java":"25.0.1","pid":123,"uptime_seconds":12.3,"generation":3}"""));
        answer("GET /admin/workers", call -> new Answer(200, """
                {"workers":[{"id":"default#1","group":"default","slot":1,"pid":4121,"state":"READY","generation":3,
                "uptime_seconds":30.1,"tasks":250,"restarts":0,"rss_bytes":52428800}]}"""));
        answer("GET /admin/plugins", call -> new Answer(200, """
                {"generation":3,"plugins":[{"name":"hello","files":[{"source":"/opt/burst/plugins/hello.jar",
                "sha256":"ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"}]}]}"""));
        answer("POST /admin/reload", call -> new Answer(200, """
                {"operation":%s,"ok":true,"generation":4,"tried_generation":4,"swapped":2,"failures":[],
                "summary":"generation 4 serving on 2 worker(s) in 150 ms"}""".formatted(record(15, "reload_workers",
                "admin API", "done", "generation 4 serving on 2 worker(s)"))));
        answer("POST /admin/restart", call -> new Answer(202, """
                {"accepted":"restart_workers","operation":12}"""));
        answer("POST /admin/stop", call -> new Answer(202, """
                {"accepted":"stop","operation":14}"""));
        for (String group : List.of("default", "game")) {
            answer("PUT /admin/groups/" + group, call -> call.body().matches("\\{\"workers\":\\d+}")
                    ? new Answer(202, "{\"group\":\"" + group + "\",\"workers\":"
                            + call.body().replaceAll("\\D", "") + ",\"operation\":13}")
                    : new Answer(400, "{\"error\":\"malformed JSON\"}"));
        }
        OPERATIONS.forEach(op -> operation(op.path("id").asLong(), op.toString()));
        operation(12, record(12, "restart_workers", "admin API", "running", null),
                record(12, "restart_workers", "admin API", "done", "2 of 2 worker(s) replaced"));
        operation(13, record(13, "change_group", "admin API", "running", null),
                record(13, "change_group", "admin API", "done", "group default: 3 worker(s)"));
        answer("GET /admin/operations", call -> {
            int limit = call.query().startsWith("limit=") ? Integer.parseInt(call.query().substring(6)) : 100;
            ArrayNode list = JSON.createArrayNode();
            OPERATIONS.subList(Math.max(0, OPERATIONS.size() - limit), OPERATIONS.size()).forEach(list::add);
            return new Answer(200, JSON.createObjectNode().set("operations", list).toString());
        });
        answer("GET /admin/operations/{id}", call -> {
            long id = Long.parseLong(call.path().substring(call.path().lastIndexOf('/') + 1));
            Deque<String> records = operations.get(id);
            if (records == null) {
                return new Answer(404, "{\"error\":\"no operation " + id + "\"}");
            }
            return new Answer(200, records.size() > 1 ? records.poll() : records.peek());
        });
        answer("POST /admin/clear", call -> call.body().contains("\"default\"")
                ? new Answer(200, "{\"group\":\"default\",\"cleared\":5}")
                : new Answer(400, "{\"error\":\"unknown group\"}"));
        answer("POST /admin/push", call -> call.body().contains("\"users\"")
                ? new Answer(200, """
                        {"delivered":2,"offline":1,"dropped":0,"offline_users":["nobody"],
                         "users":{"u1":"delivered","u3":"delivered","nobody":"offline"}}""")
                : new Answer(200, "{\"delivered\":3,\"offline\":0,\"dropped\":0,\"offline_users\":[]}"));
        answer("POST /admin/users/close", call -> new Answer(200, """
                {"closed":1,"offline":1,"offline_users":["gone"],"users":{"u2":"closed","gone":"offline"}}"""));
        answer("GET /admin/users", call -> new Answer(200, call.query().equals("limit=2")
                ? "{\"online\":3,\"users\":[\"u1\",\"u2\"]}" : "{\"online\":3,\"users\":[\"u1\",\"u2\",\"u3\"]}"));
        answer("GET /admin/users/u2", call -> new Answer(200, """
                {"user":"u2","online":true,"connections":[{"id":7,"protocol":"box","client":"127.0.0.1:50412",
                 "since":"2026-11-30T15:00:00.123Z"}]}"""));
        answer("GET /admin/users/nobody", call -> new Answer(200, """
                {"user":"nobody","online":false,"connections":[]}"""));
        server.start();
    }

    /** Replaces the answer of "METHOD /path". */
    void answer(String route, Function<Call, Answer> answer) {
        routes.put(route, answer);
    }

    /** Sets what {@code GET /admin/operations/{id}} answers: each record once in turn, then the last one. */
    void operation(long id, String... records) {
        operations.put(id, new ConcurrentLinkedDeque<>(List.of(records)));
    }

    /**
     * @return an operation record of the contract, started 2026-11-30T15:00:00.123Z; a finished one took
     *         1333 ms and has one detail line, a running one has null finish, duration and outcome
     */
    static String record(long id, String kind, String trigger, String state, String outcome) {
        ObjectNode op = JSON.createObjectNode().put("id", id).put("kind", kind).put("trigger", trigger)
                .put("state", state).put("started", "2026-11-30T15:00:00.123Z");
        ArrayNode details = JSON.createArrayNode();
        if (state.equals("running")) {
            op.putNull("finished").putNull("duration_ms").putNull("outcome");
        } else {
            op.put("finished", "2026-11-30T15:00:01.456Z").put("duration_ms", 1333).put("outcome", outcome);
            details.addObject().put("subject", "worker default#1 pid 4121").put("outcome", outcome);
        }
        op.set("details", details);
        return op.toString();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    private static JsonNode operation(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a malformed operation in the stub: " + json, e);
        }
    }

    /** Writes ports and admin.token into the run directory, as burst does. */
    Path writeRunDir(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("ports"), "#burst ports\nhttp=1\nbox=2\nadmin=" + port() + "\n");
        Files.writeString(runDir.resolve("admin.token"), TOKEN + "\n");
        return runDir;
    }

    /** The sample stat of the contract; sample n has 10 n more client_req and tasks than sample 0. */
    static String stat(int n) {
        try (InputStream in = AdminStub.class.getResourceAsStream("stat.json")) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return json.replace("\"client_req\":1000", "\"client_req\":" + (1000 + 10 * n))
                    .replace("\"tasks\":250", "\"tasks\":" + (250 + 5 * n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
            Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), query, body, auth);
            calls.add(call);
            Answer answer;
            if (!("Bearer " + TOKEN).equals(auth)) {
                answer = new Answer(401, "{\"error\":\"missing or wrong admin token\"}");
            } else {
                String route = call.method() + " " + call.path();
                answer = routes.getOrDefault(route, routes.getOrDefault(route.replaceFirst("/\\d+$", "/{id}"),
                        c -> new Answer(404, "{\"error\":\"no such path: " + c.path() + "\"}"))).apply(call);
            }
            byte[] bytes = answer.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Serves until killed, with ports and admin.token in the run directory given as the argument. */
    public static void main(String[] args) throws IOException {
        AdminStub stub = new AdminStub();
        stub.writeRunDir(Path.of(args[0]));
        System.out.println("admin stub at " + stub.url() + ", run directory " + args[0]);
    }
}
