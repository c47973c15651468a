package dev.burst.container.proxy;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.DirectHandler.TransportRequest;
import io.helidon.http.DirectHandler.TransportResponse;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * How one listener answers what is not a handler's answer: malformed requests, bodies over the limit,
 * unknown endpoints, and failures. Every such answer is a short JSON {@code {"error":"..."}} that names
 * what was wrong and never carries an internal exception's message; a request whose framing cannot be
 * trusted also closes its connection.
 *
 * <ul>
 * <li>{@link #directHandlers()}: what Helidon rejects itself, before or while reading a request (bad
 *     request line or headers, {@code Content-Length} over the max payload, a chunked body growing past
 *     it, HTTP versions other than 1.1 and 1.0).</li>
 * <li>a filter ahead of every route: a {@code Content-Length} that is not one plain decimal number, a
 *     {@code Transfer-Encoding} other than {@code chunked}, or both framings at once get 400 (501 for an
 *     unknown coding) before a handler reads a byte. Helidon 4.2 takes {@code Content-Length: -5} as a
 *     length and fails deep in the read.</li>
 * <li>an error handler for whatever a route throws: Helidon's {@link HttpException}s (404 and the like)
 *     with their status; a chunked body whose chunk size does not parse (Helidon 4.2 lets the number
 *     parser's exception escape from the read) as 400; anything else as a 500 whose stack trace goes to
 *     the log once, and whose body says only "internal error".</li>
 * </ul>
 * A client that leaves in the middle of a request is not an error: {@link ConnectionGate} ends that
 * connection quietly.
 *
 * <p>Threads: the connection's Helidon virtual thread, which parses and routes the request.
 */
final class HttpErrors {

    private static final System.Logger LOG = System.getLogger(HttpErrors.class.getName());
    private static final String UNSAFE = "Bad request, see server log";
    private static final int MAX_ECHO = 120;

    private final String listener;
    private final long maxBody;
    private final String maxBodyKey;

    /**
     * @param listener   the listener's name, for log lines
     * @param maxBody    the largest request body it accepts
     * @param maxBodyKey the configuration key of {@code maxBody}, named in the 413 answer
     */
    HttpErrors(String listener, long maxBody, String maxBodyKey) {
        this.listener = listener;
        this.maxBody = maxBody;
        this.maxBodyKey = maxBodyKey;
    }

    /** @return {@code {"error":message}}, as bytes */
    static byte[] json(String message) {
        return StatReport.JSON.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the handlers of Helidon's own rejections, for the listener's configuration */
    DirectHandlers directHandlers() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            b.addHandler(type, this::direct);
        }
        return b.build();
    }

    /** Adds the framing filter and the error handler; call before the API adds its routes. */
    void install(HttpRouting.Builder routing) {
        routing.addFilter(this::framing);
        routing.error(Throwable.class, this::routeFailed);
    }

    private TransportResponse direct(TransportRequest req, EventType type, Status status,
                                     ServerResponseHeaders headers, String message) {
        int code = status.code();
        String text;
        if (code == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
            text = tooLarge();
        } else if (code == Status.HTTP_VERSION_NOT_SUPPORTED_505.code()) {
            text = "HTTP version not supported: speak HTTP/1.1 or HTTP/1.0";
        } else if (code >= 500) {
            text = "internal error";
        } else if (message == null || message.isBlank() || message.startsWith(UNSAFE)) {
            text = "malformed HTTP request";
        } else {
            text = echo(message);
        }
        if (!type.keepAlive()) {
            ConnectionGate.closeAfterResponse();
        }
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(json(text))
                .keepAlive(type.keepAlive())
                .build();
    }

    private String tooLarge() {
        return "request body over " + maxBodyKey + " " + maxBody + " bytes";
    }

    private void framing(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<Refusal> refusal = framingProblem(req.headers());
        if (refusal.isPresent()) {
            send(res, refusal.get().status(), refusal.get().error(), true);
            return;
        }
        if (req.headers().contains(HeaderValues.CONNECTION_CLOSE)) {
            ConnectionGate.closeAfterResponse(); // Helidon 4.2 would go on reading the closing connection
        }
        chain.proceed();
    }

    /** A request refused for how it frames its body: the status and the client's error text. */
    record Refusal(Status status, String error) {
    }

    /**
     * @param headers a request's headers
     * @return what is wrong with how they frame the body (RFC 9112 section 6), if anything
     */
    static Optional<Refusal> framingProblem(Headers headers) {
        boolean length = headers.contains(HeaderNames.CONTENT_LENGTH);
        if (headers.contains(HeaderNames.TRANSFER_ENCODING)) {
            // exactly the one coding Helidon decodes; anything else would leave the body unread, to be taken for the next request
            if (headers.all(HeaderNames.TRANSFER_ENCODING, List::of).size() != 1
                    || !headers.contains(HeaderValues.TRANSFER_ENCODING_CHUNKED)) {
                return Optional.of(new Refusal(Status.NOT_IMPLEMENTED_501, "only Transfer-Encoding: chunked is supported"));
            }
            if (length) {
                return Optional.of(new Refusal(Status.BAD_REQUEST_400,
                        "a request cannot have both Content-Length and Transfer-Encoding"));
            }
        }
        if (length) {
            List<String> values = headers.all(HeaderNames.CONTENT_LENGTH, List::of);
            if (values.size() != 1 || !isLength(values.getFirst())) {
                return Optional.of(new Refusal(Status.BAD_REQUEST_400, "Content-Length must be one non-negative decimal number"));
            }
        }
        return Optional.empty();
    }

    private static boolean isLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private void routeFailed(ServerRequest req, ServerResponse res, Throwable e) {
        if (e instanceof HttpException h) {
            int code = h.status().code();
            String text;
            if (code == Status.NOT_FOUND_404.code()) {
                text = "no endpoint " + req.prologue().method().text() + " " + echo(req.path().rawPath());
            } else if (code >= 500) {
                LOG.log(System.Logger.Level.WARNING, listener + " listener: " + describe(req) + " failed", e);
                text = "internal error";
            } else {
                text = h.getMessage() == null || h.getMessage().isBlank() ? h.status().reasonPhrase() : echo(h.getMessage());
            }
            h.headers().forEach(res::header);
            send(res, h.status(), text, !h.keepAlive());
        } else if (isMalformedChunk(req, e)) {
            send(res, Status.BAD_REQUEST_400, "malformed chunked request body", true);
        } else {
            LOG.log(System.Logger.Level.WARNING, listener + " listener: " + describe(req) + " failed", e);
            send(res, Status.INTERNAL_SERVER_ERROR_500, "internal error", false);
        }
    }

    /**
     * A chunked request whose route failed to parse a chunk size or line. Neither API parses numbers or
     * lines of its own outside a try block, so on a chunked request these come from the body's decoding
     * (whether the body counts as consumed after a failed read depends on how it was read, so it cannot
     * tell).
     */
    private static boolean isMalformedChunk(ServerRequest req, Throwable e) {
        return req.headers().contains(HeaderValues.TRANSFER_ENCODING_CHUNKED)
                && (e instanceof NumberFormatException || e instanceof DataReader.IncorrectNewLineException);
    }

    private static String describe(ServerRequest req) {
        return req.prologue().method().text() + " " + echo(req.path().rawPath());
    }

    private static String echo(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }

    private static void send(ServerResponse res, Status status, String error, boolean close) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (close) {
            res.header(HeaderValues.CONNECTION_CLOSE);
            ConnectionGate.closeAfterResponse();
        }
        res.send(json(error));
    }
}
