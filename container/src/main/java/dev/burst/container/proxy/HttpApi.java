package dev.burst.container.proxy;

import dev.burst.container.proxy.dispatch.Outcome;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP client API: {@code POST /cmd/{cmd}}, the body is the payload, the response body is the reply,
 * header {@code Burst-Ret} carries the ret code. Errors map to HTTP statuses ({@link Outcome.Kind}) with
 * a short JSON body {@code {"ret":..,"error":".."}}. A request refused before it is a task (another method
 * than POST, a malformed request, a body over {@code burst.http.max-body}) has no ret: {@link HttpErrors}
 * answers it with {@code {"error":".."}}.
 *
 * <p>Threads: each request runs on its own Helidon virtual thread, which waits for the task's outcome.
 */
final class HttpApi {

    static final HeaderName BURST_RET = HeaderNames.create("Burst-Ret");
    /** The client's key: a route=key group runs one key's tasks on one worker slot, in order. */
    static final HeaderName BURST_KEY = HeaderNames.create("Burst-Key");
    /** Longest Burst-Key, in UTF-8 bytes (as a user id). */
    static final int MAX_KEY_BYTES = 128;
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");

    private final Dispatcher dispatcher;

    HttpApi(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    void routing(HttpRouting.Builder routing) {
        routing.post("/cmd/{cmd}", this::handle);
        routing.any("/cmd/{cmd}", HttpApi::onlyPost);
    }

    /** Any other method on a cmd: 405, not Helidon's 404, which would say the cmd does not exist. */
    private static void onlyPost(ServerRequest req, ServerResponse res) {
        res.status(Status.METHOD_NOT_ALLOWED_405);
        res.header(HeaderNames.ALLOW, "POST");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(HttpErrors.json("a cmd takes POST, not " + req.prologue().method().text()));
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String segment = req.path().pathParameters().get("cmd");
        OptionalInt cmd = dispatcher.resolve(segment);
        if (cmd.isEmpty()) {
            dispatcher.clientRequests.increment();
            dispatcher.unknownCmds.increment();
            dispatcher.clientResponses.increment();
            send(res, Outcome.unknownCmd("unknown cmd " + segment));
            return;
        }
        String key = req.headers().first(BURST_KEY).orElse(null);
        Optional<String> badKey = key == null ? Optional.empty() : invalidKey(key);
        if (badKey.isPresent()) {
            res.status(Status.BAD_REQUEST_400);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(HttpErrors.json(badKey.get()));
            return;
        }
        byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        dispatcher.clients.incrementAndGet();
        try {
            // host:port as Request.clientAddress() promises and the Box listener gives, not "/host:port"
            String client = req.remotePeer().address().toString().replaceFirst("^/", "");
            dispatcher.submit(cmd.getAsInt(), 0, client, key == null ? "" : key, body, answer::complete);
            send(res, answer.join());
        } finally {
            dispatcher.clients.decrementAndGet();
        }
    }

    /** @return why a Burst-Key header's value cannot be a key, if it cannot */
    static Optional<String> invalidKey(String key) {
        if (key.isEmpty()) {
            return Optional.of("header Burst-Key is empty; send a key of 1 to " + MAX_KEY_BYTES
                    + " UTF-8 bytes, or no header");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return Optional.of("header Burst-Key is " + bytes + " bytes as UTF-8; at most " + MAX_KEY_BYTES);
        }
        return Optional.empty();
    }

    private static void send(ServerResponse res, Outcome o) {
        res.status(Status.create(o.kind().httpStatus()));
        res.header(BURST_RET, Integer.toString(o.ret()));
        switch (o.kind()) {
            case REPLY -> res.send(o.body());
            case NO_REPLY -> res.send();
            default -> {
                if (o.kind() == Outcome.Kind.OVERLOADED) {
                    res.header(RETRY_AFTER, "1");
                }
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(StatReport.JSON.createObjectNode().put("ret", o.ret()).put("error", o.error()).toString());
            }
        }
    }
}
