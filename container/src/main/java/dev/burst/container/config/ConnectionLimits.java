package dev.burst.container.config;

import java.time.Duration;

/**
 * What clients may make the proxy hold: each limit has a counter and a log line where it is enforced.
 *
 * @param httpMaxConnections    open HTTP connections (burst.http.max-connections)
 * @param boxMaxConnections     open Box connections (burst.box.max-connections)
 * @param boxMaxInboundBytes    bytes buffered in unfinished inbound frames, over every connection
 *                              (burst.box.max-inbound-bytes)
 * @param boxFrameTimeout       longest a frame may take from its first byte to its last (burst.box.frame-timeout)
 * @param boxMaxInFlight        requests of one connection accepted and not yet answered (burst.box.max-in-flight)
 * @param connectionMaxOutbound bytes queued for one connection that it has not read yet
 *                              (burst.connection.max-outbound)
 * @param adminMaxConnections   open admin API connections (burst.admin.max-connections)
 * @param adminMaxBody          largest admin API request body (burst.admin.max-body)
 */
public record ConnectionLimits(int httpMaxConnections, int boxMaxConnections, long boxMaxInboundBytes,
                               Duration boxFrameTimeout, int boxMaxInFlight, long connectionMaxOutbound,
                               int adminMaxConnections, int adminMaxBody) {
}
