package dev.burst.ctl;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Calls the admin API of a burst over HTTP/1.1, with its bearer token. The endpoint is found again for every
 * call.
 *
 * <p>Queries time out after {@value #QUERY_SECONDS} s. Operations wait up to {@value #OPERATION_SECONDS} s,
 * because {@code POST /admin/reload} answers only once the reload has succeeded or failed.
 */
final class AdminClient {

    static final int QUERY_SECONDS = 30;
    static final int OPERATION_SECONDS = 600;

    private final Endpoint.Source endpoints;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    AdminClient(Endpoint.Source endpoints) {
        this.endpoints = endpoints;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** @return where the admin API is and its token, found afresh */
    Endpoint endpoint() throws UnreachableException {
        return endpoints.find();
    }

    Reply get(String path) throws UnreachableException, InterruptedException {
        return send(path, QUERY_SECONDS, b -> b.GET());
    }

    Reply post(String path) throws UnreachableException, InterruptedException {
        return send(path, OPERATION_SECONDS, b -> b.POST(HttpRequest.BodyPublishers.noBody()));
    }

    Reply post(String path, JsonNode body) throws UnreachableException, InterruptedException {
        return send(path, OPERATION_SECONDS, b -> b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    Reply put(String path, JsonNode body) throws UnreachableException, InterruptedException {
        return send(path, OPERATION_SECONDS, b -> b.header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** @return the path segment, percent-encoded (a group name in {@code /admin/groups/{g}}) */
    static String segment(String value) {
        try {
            return new URI(null, null, value, null).getRawPath().replace("/", "%2F").replace("?", "%3F");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot encode '" + value + "'", e);
        }
    }

    private Reply send(String path, int timeoutSeconds, UnaryOperator<HttpRequest.Builder> method)
            throws UnreachableException, InterruptedException {
        Endpoint endpoint = endpoints.find();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpoint.base() + path))
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Accept", "application/json");
        endpoint.token().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        HttpRequest request = method.apply(builder).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            String reason = e.getMessage() != null ? e.getMessage()
                    : e instanceof ConnectException ? "connection refused" : "connect timed out";
            throw new UnreachableException("cannot reach burst at " + endpoint.base() + ": " + reason, e);
        } catch (HttpTimeoutException e) {
            throw new UnreachableException("burst at " + endpoint.base() + " did not answer "
                    + request.method() + " " + path + " within " + timeoutSeconds + " s", e);
        } catch (IOException e) {
            // Reset or closed mid-answer: the server went away (stopping, crashed) or is not an HTTP server.
            throw new UnreachableException("lost burst at " + endpoint.base() + ": " + reason(e), e);
        }
        int status = response.statusCode();
        return json(response.body())
                .map(body -> new Reply(status, body))
                .orElseGet(() -> notOurs(status, response.body()));
    }

    private Optional<JsonNode> json(byte[] body) {
        try {
            return Optional.ofNullable(mapper.readTree(body)).filter(JsonNode::isObject);
        } catch (JacksonException e) {
            return Optional.empty(); // not JSON: the caller says what it got instead
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
    }

    /** A body that is not a JSON object (some other server on the port): an error, 502 if it came as a 2xx. */
    private static Reply notOurs(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String start = text.length() > 120 ? text.substring(0, 120) + "..." : text;
        String message = "not an answer of the burst admin API (HTTP " + status + (start.isEmpty() ? "" : ": " + start)
                + ")";
        return new Reply(status / 100 == 2 ? 502 : status, JsonNodeFactory.instance.objectNode().put("error", message));
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
