package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConnectionLimits;
import dev.burst.container.proxy.ws.WsEndpoint;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The proxy's Helidon listeners, each its own WebServer: the HTTP client API ({@link HttpApi}), with the
 * WebSocket clients at {@code /ws} ({@link WsEndpoint}), and the admin API ({@link AdminApi}). Both face
 * whoever can reach them, so each gets the same edge:
 * <ul>
 * <li>its own limits: largest body ({@code burst.http.max-body}, {@code burst.admin.max-body}) and most
 *     open connections ({@code burst.http.max-connections}, {@code burst.admin.max-connections}; over
 *     it a connection is closed at once and counted, see {@link ConnectionGate});</li>
 * <li>HTTP/1.1 and HTTP/1.0 ({@link Http10});</li>
 * <li>short JSON errors for malformed, oversized and unroutable requests ({@link HttpErrors}).</li>
 * </ul>
 * Two WebServers rather than one with a named socket, so that a listener that cannot bind is known by
 * name: Helidon reports a failed start only as "not running" (and a log line).
 *
 * <p>Threads: {@link #start} and {@link #stop} run on the proxy's main thread; requests on Helidon's
 * virtual threads, one per connection.
 */
final class HttpListeners {

    private final Listener http;
    private final Listener admin;
    private final Optional<WsEndpoint> webSockets;

    private HttpListeners(Listener http, Listener admin, Optional<WsEndpoint> webSockets) {
        this.http = http;
        this.admin = admin;
        this.webSockets = webSockets;
    }

    /**
     * What one listener is: where it binds, its limits, its routes.
     *
     * @param name              {@code http} or {@code admin}, for messages
     * @param host              address to bind
     * @param port              port to bind (0 = any free port)
     * @param maxBody           largest request body
     * @param maxBodyKey        the configuration key of {@code maxBody}
     * @param maxConnections    most connections open at once
     * @param maxConnectionsKey the configuration key of {@code maxConnections}
     * @param routes            the API's routes
     */
    record Spec(String name, String host, int port, int maxBody, String maxBodyKey, int maxConnections,
                String maxConnectionsKey, Consumer<HttpRouting.Builder> routes) {
    }

    /**
     * Binds and starts both listeners.
     *
     * @param config     the configuration (hosts, ports, limits)
     * @param http       the client API
     * @param webSockets the WebSocket clients, on the client API's listener
     * @param admin      the admin API
     * @return the running listeners
     * @throws UncheckedIOException when a listener cannot bind; the message names it, its address and port
     */
    static HttpListeners start(BurstConfig config, HttpApi http, WsEndpoint webSockets, AdminApi admin) {
        ConnectionLimits limits = config.limits();
        return start(
                new Spec("http", config.httpHost(), config.httpPort(), config.httpMaxBody(), "burst.http.max-body",
                        limits.httpMaxConnections(), "burst.http.max-connections", http::routing),
                Optional.of(webSockets),
                new Spec("admin", config.adminHost(), config.adminPort(), limits.adminMaxBody(), "burst.admin.max-body",
                        limits.adminMaxConnections(), "burst.admin.max-connections", admin::routing));
    }

    /**
     * Binds and starts both listeners, without WebSocket.
     *
     * @throws UncheckedIOException when a listener cannot bind; the message names it, its address and port
     */
    static HttpListeners start(Spec http, Spec admin) {
        return start(http, Optional.empty(), admin);
    }

    /**
     * Binds and starts both listeners, the HTTP one with the WebSocket endpoint if given.
     *
     * @throws UncheckedIOException when a listener cannot bind; the message names it, its address and port
     */
    static HttpListeners start(Spec http, Optional<WsEndpoint> webSockets, Spec admin) {
        Listener h = Listener.start(http, webSockets);
        try {
            return new HttpListeners(h, Listener.start(admin, Optional.empty()), webSockets);
        } catch (RuntimeException e) {
            h.server.stop();
            throw e;
        }
    }

    /** @return the HTTP client API's port */
    int httpPort() {
        return http.server.port();
    }

    /** @return the admin API's port */
    int adminPort() {
        return admin.server.port();
    }

    /**
     * @return connections both listeners closed at once since start because their max-connections were
     * open; counted by each listener's {@link ConnectionGate} as it refuses them
     */
    long refusedConnections() {
        return http.gate.refused() + admin.gate.refused();
    }

    /** @return the WebSocket clients on the HTTP listener, if it serves them */
    Optional<WsEndpoint> webSockets() {
        return webSockets;
    }

    /**
     * Closes the WebSocket connections: each once what is queued for it is written (close code 1001).
     *
     * @param timeout how long clients that do not read or answer the close may hold the stop up
     * @return true if every one closed in time (the rest had their sockets closed)
     */
    boolean closeWebSockets(Duration timeout) throws InterruptedException {
        return webSockets.isEmpty() || webSockets.get().closeConnections(timeout);
    }

    /** Stops both listeners. */
    void stop() {
        http.server.stop();
        admin.server.stop();
    }

    private record Listener(WebServer server, ConnectionGate gate) {

        static Listener start(Spec spec, Optional<WsEndpoint> webSockets) {
            Http1Config http1 = Http1Config.create();
            ConnectionGate gate = new ConnectionGate(spec.name(), spec.maxConnections(), spec.maxConnectionsKey(), http1,
                    webSockets.map(ws -> List.of(ws.upgrader())).orElse(List.of()));
            HttpErrors errors = new HttpErrors(spec.name(), spec.maxBody(), spec.maxBodyKey());
            WebServerConfig.Builder builder = WebServer.builder()
                    .host(spec.host())
                    .port(spec.port())
                    .maxPayloadSize(spec.maxBody())
                    .protocolsDiscoverServices(false) // the gate is the only selector: it serves HTTP/1.1 and 1.0
                    .addConnectionSelector(gate)
                    .directHandlers(errors.directHandlers())
                    .errorHandling(e -> e.includeEntity(true)) // Helidon's safe messages reach HttpErrors
                    .routing(r -> {
                        errors.install(r);
                        spec.routes().accept(r);
                    });
            // the gate's HTTP/1.1 connections upgrade GET /ws with the endpoint's upgrader; its frame limit
            // is this protocol setting, and its listener comes from this routing
            webSockets.ifPresent(ws -> builder.addProtocol(ws.protocol()).addRouting(ws.routing()));
            WebServer server = builder.build().start();
            if (!server.isRunning()) {
                throw cannotBind(spec);
            }
            return new Listener(server, gate);
        }

        /** Helidon logged why; binding the same address once more tells it in one line. */
        private static UncheckedIOException cannotBind(Spec spec) {
            String where = "the " + spec.name() + " listener on " + spec.host() + ":" + spec.port();
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(spec.host(), spec.port()));
            } catch (IOException e) {
                return new UncheckedIOException("cannot open " + where + ": " + e.getMessage(), e);
            }
            String message = "cannot open " + where + " (see Helidon's error above)";
            return new UncheckedIOException(message, new IOException(message));
        }
    }
}
