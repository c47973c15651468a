package dev.burst.ctl;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for burst's admin API in unit tests: a JDK HttpServer on loopback that checks the bearer token
 * and answers the contract's JSON. Answers can be replaced per route; every request is recorded.
 *
 * <p>{@code main(runDir)} serves until killed and writes {@code ports} and {@code admin.token} into the run
 * directory, for trying the console by hand.
 */
final class AdminStub implements AutoCloseable {

    static final String TOKEN = "s3cret-token";

    /** A recorded request. */
    record Call(String method, String path, String body, String authorization) {
    }

    /** A canned answer. */
    record Answer(int status, String json) {
    }

    private final HttpServer server;
    private final Map<String, Function<Call, Answer>> routes = new ConcurrentHashMap<>();
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
                {"ok":true,"attempted":4,"serving":4,"swapped":2,"failures":[],
                "summary":"generation 4 serving on 2 worker(s) in 150 ms"}"""));
        answer("POST /admin/restart", call -> new Answer(202, """
                {"accepted":"restart_workers"}"""));
        answer("POST /admin/stop", call -> new Answer(202, """
                {"accepted":"stop"}"""));
        for (String group : List.of("default", "game")) {
            answer("PUT /admin/groups/" + group, call -> call.body().matches("\\{\"workers\":\\d+}")
                    ? new Answer(202, "{\"group\":\"" + group + "\",\"workers\":"
                            + call.body().replaceAll("\\D", "") + "}")
                    : new Answer(400, "{\"error\":\"malformed JSON\"}"));
        }
        answer("POST /admin/clear", call -> call.body().contains("\"default\"")
                ? new Answer(200, "{\"group\":\"default\",\"cleared\":5}")
                : new Answer(400, "{\"error\":\"unknown group\"}"));
        server.start();
    }

    /** Replaces the answer of "METHOD /path". */
    void answer(String route, Function<Call, Answer> answer) {
        routes.put(route, answer);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
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
            Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), body, auth);
            calls.add(call);
            Answer answer;
            if (!("Bearer " + TOKEN).equals(auth)) {
                answer = new Answer(401, "{\"error\":\"missing or wrong admin token\"}");
            } else {
                answer = routes.getOrDefault(call.method() + " " + call.path(),
                        c -> new Answer(404, "{\"error\":\"no such path: " + c.path() + "\"}")).apply(call);
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
