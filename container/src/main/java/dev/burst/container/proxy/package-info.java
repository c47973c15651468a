/**
 * The proxy process: the only one clients talk to. It owns traffic — routes, per-group queues, the
 * state of every worker, deadlines, stats, plugin generations and reloads — and forwards
 * process-level operations to the master.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@link dev.burst.container.proxy.Proxy}: the main loop (start, serve, stop).</li>
 *   <li>{@link dev.burst.container.proxy.dispatch}: the socket-free core — which task goes to which
 *       worker ({@code GroupPool}), fairness between clients ({@code FairQueue}), timeouts, recycling,
 *       routes. Unit-tested without processes.</li>
 *   <li>{@link dev.burst.container.proxy.box}: the non-blocking Box listener and its limits.</li>
 *   <li>{@code Dispatcher}: routes, intake of client requests, the serving generation, the stop's count.</li>
 *   <li>{@code WorkerSessions}, {@code WorkerLink}, {@code WorkerServer}: worker connections, turning frames
 *       into pool operations and pool decisions into frames.</li>
 *   <li>{@code Reloader}: reload_workers (snapshot, canaries, roll).</li>
 *   <li>{@code HttpListeners}, {@code HttpApi}, {@code AdminApi}, {@code StatReport}: Helidon's HTTP and
 *       admin listeners; {@code StatSampler}, {@code StatHistory}: stat's per-second history.</li>
 *   <li>{@code ControlLink}, {@code MasterView}: the master's control socket and what it reports.</li>
 * </ul>
 *
 * <h2>Threads, and what each may touch</h2>
 * <table>
 *   <caption>Every thread of the proxy process</caption>
 *   <tr><th>thread</th><th>runs</th><th>may touch</th></tr>
 *   <tr><td>main</td><td>{@code Proxy.run}: start-up, the event loop, the stop</td>
 *       <td>its own event queue; starts and stops the listeners; reload and retire requests go to the
 *       reload thread and the pools</td></tr>
 *   <tr><td>proxy-timer (platform, daemon)</td><td>housekeeping of each group (queue-timeout,
 *       task-timeout), the worker-socket check, the start timeout, the stat sampler (once a second:
 *       counters into {@code StatHistory})</td>
 *       <td>the pools, under their locks; never blocks on a socket</td></tr>
 *   <tr><td>box-accept (platform)</td><td>accepts Box connections, enforces max-connections</td>
 *       <td>hands each connection to an I/O loop; never dies of an exception</td></tr>
 *   <tr><td>box-io-N (platform, one per two cores)</td><td>reads and cuts frames of its connections,
 *       submits tasks, writes what repliers could not, frame-timeout; closes connections, telling the
 *       user registry (a bound one queues its disconnect events, outside the connection's monitor)</td>
 *       <td>its connections' input state only; the pools through {@code Dispatcher.submit}; a
 *       connection's output queue under that connection's monitor</td></tr>
 *   <tr><td>worker-accept (virtual)</td><td>accepts worker connections</td>
 *       <td>starts one worker-link thread each</td></tr>
 *   <tr><td>worker-link (platform, one per worker)</td><td>{@code WorkerSessions.serve}: HELLO, READY,
 *       RESULT, swap answers, BIND and PUSH</td><td>its pool (ready, result, left), under the pool's lock;
 *       after unlocking it sends the next task to its worker and completes the finished task, which writes
 *       the reply (a Box connection's output, or an HTTP request's future); the user registry
 *       ({@code Users}: logins under its lock, pushes without it), writing each pushed frame to its
 *       connections without waiting</td></tr>
 *   <tr><td>WebSocket readers (Helidon's, virtual, one per connection) and writers (virtual, one per
 *       connection while it has frames queued)</td><td>{@code proxy.ws}: a /ws connection's frames in,
 *       its replies and pushes out</td><td>{@code Dispatcher.submit}; the user registry on open and
 *       close; the connection's output queue under its monitor</td></tr>
 *   <tr><td>reload (virtual, one at a time)</td><td>{@code Reloader}: snapshot, swaps, commit</td>
 *       <td>the pools (beginSwap, endSwap, swapTimedOut), worker links (LOAD), the generation store</td></tr>
 *   <tr><td>control-read (virtual)</td><td>frames from the master</td>
 *       <td>only enqueues events for main, or records into {@code MasterView}</td></tr>
 *   <tr><td>Helidon's listener and request threads (virtual)</td><td>HTTP requests, admin requests</td>
 *       <td>{@code Dispatcher.submit} and waits for the outcome; admin reads of pools and stats;
 *       ADMIN_COMMANDs to the master</td></tr>
 *   <tr><td>JVM signal thread</td><td>SIGTERM, SIGINT</td><td>only enqueues a stop event</td></tr>
 * </table>
 *
 * <p>Locks: one per group pool ({@code GroupPool}), held only for decisions — no socket write or client
 * callback runs under it ({@code Effects}). Routes are an immutable snapshot replaced under the
 * dispatcher's monitor. A Box connection's output queue has its own monitor. Nothing holds two of these
 * at once.
 */
package dev.burst.container.proxy;
