/**
 * WebSocket clients at {@code GET /ws} on the HTTP listener: one binary message is one Box frame, in and
 * out, so browsers and netkit-style clients speak the same frames as over Box/TCP.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@link dev.burst.container.proxy.ws.WsEndpoint}: what the HTTP listener installs (the frame limit,
 *       the route, the upgrader that tracks each connection to its end) and the stop.</li>
 *   <li>{@code WsConnection}: one client; a {@code ClientConnection} that users are bound to and frames
 *       pushed to.</li>
 *   <li>{@code BoxMessage}: the checks of one message (socket-free); {@code ServerFrame}: the frames the
 *       server writes (socket-free).</li>
 *   <li>{@link dev.burst.container.proxy.ws.WsStats}: counters for {@code GET /admin/stat}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * <table>
 *   <caption>Threads of one WebSocket connection</caption>
 *   <tr><th>thread</th><th>runs</th><th>may touch</th></tr>
 *   <tr><td>Helidon's connection thread (virtual)</td><td>the upgrade, reading and checking messages,
 *       submitting requests, the end</td><td>the dispatcher ({@code Intake.submit}); waits only at its own
 *       connection's in-flight cap</td></tr>
 *   <tr><td>ws-write-N (virtual, at most one per connection, while it has frames to write)</td><td>writes
 *       queued frames in order, then the close frame</td><td>the connection's socket; the queue under the connection's lock</td></tr>
 *   <tr><td>worker links, admin threads</td><td>replies, pushes, closes</td><td>only queue under the
 *       connection's lock and return; never write, never wait</td></tr>
 * </table>
 */
package dev.burst.container.proxy.ws;
