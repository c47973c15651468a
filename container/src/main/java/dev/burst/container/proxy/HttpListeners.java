package dev.burst.container.proxy;

import dev.burst.container.config.BurstConfig;
import io.helidon.webserver.WebServer;

/**
 * The proxy's Helidon listeners: the HTTP client API ({@link HttpApi}) on the default socket and the
 * admin API ({@link AdminApi}) on its own named socket.
 */
final class HttpListeners {

    private static final String ADMIN = "admin";

    private final WebServer server;

    private HttpListeners(WebServer server) {
        this.server = server;
    }

    /**
     * Binds and starts both listeners.
     *
     * @param config the configuration (hosts, ports, limits)
     * @param http   the client API
     * @param admin  the admin API
     * @return the running listeners
     */
    static HttpListeners start(BurstConfig config, HttpApi http, AdminApi admin) {
        WebServer server = WebServer.builder()
                .host(config.httpHost())
                .port(config.httpPort())
                .maxPayloadSize(config.httpMaxBody())
                .routing(http::routing)
                .putSocket(ADMIN, socket -> socket.host(config.adminHost()).port(config.adminPort()))
                .routing(ADMIN, admin::routing)
                .build()
                .start();
        return new HttpListeners(server);
    }

    /** @return the HTTP client API's port */
    int httpPort() {
        return server.port();
    }

    /** @return the admin API's port */
    int adminPort() {
        return server.port(ADMIN);
    }

    /** Stops both listeners. */
    void stop() {
        server.stop();
    }
}
