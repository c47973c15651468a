/**
 * Wire formats: netkit's Box frame spoken by clients, and burst's own binary frames between the proxy
 * and its workers (and the master's control channel). Both are big-endian.
 *
 * <h2>Box (clients, TCP)</h2>
 * <pre>
 * offset size field
 *      0    4 magic        int32  2037952207 (0x7978AECF)
 *      4    2 version      int16  copied into the reply
 *      6    2 flag         int16  copied into the reply
 *      8    4 packet_len   int32  header + body, 24 .. burst.box.max-packet
 *     12    4 cmd          int32  command id; copied into the reply
 *     16    4 ret          int32  0 in requests; the result code in replies
 *     20    4 sn           int32  client's sequence number; copied into the reply
 *     24    n body                packet_len - 24 bytes
 * </pre>
 * Many requests may be in flight on one connection; replies come back in completion order and are
 * matched by sn. A bad magic or a packet_len out of range closes that connection.
 *
 * <h2>Worker and control frames (Unix domain sockets)</h2>
 * <pre>
 * offset size field
 *      0    4 length  int32  bytes that follow (type + payload), 1 .. 64 MiB
 *      4    1 type    uint8  see below
 *      5    n payload
 * </pre>
 * Strings are a uint16 byte count then UTF-8; byte arrays are an int32 count then the bytes.
 * <pre>
 * type dir            name         payload
 *    1 worker→proxy   HELLO        group str, slot int32, pid int64, secret str (the master's per-spawn secret)
 *    2 proxy→worker   LOAD         generation int32, plugins int32, per plugin: name str, files int32, per file: path str
 *    3 worker→proxy   READY        generation int32, cmds int32, per cmd: id int32, name str ("" = none), flags uint8 (1 = idempotent)
 *    4 worker→proxy   LOAD_FAILED  generation int32, reason str
 *    5 proxy→worker   TASK         task id int64, cmd int32, sn int32, client str, connection int64 (0: HTTP),
 *                                  user str ("": none), key str (the user, else the client's Burst-Key
 *                                  header; "": none), body bytes. cmd -2147483648 (DISCONNECT_CMD) is a
 *                                  disconnect event: user = key = who left, body = 1 byte reason (0 client closed,
 *                                  1 kicked, 2 closed by push, 3 slow consumer, 4 protocol error, 5 stopping)
 *    6 worker→proxy   RESULT       task id int64, status uint8 (0 reply, 1 no reply, 2 unknown cmd, 3 handler error), ret int32, body bytes
 *    7 proxy→worker   STOP         (none): finish the current task, then exit 0
 *    8 worker→proxy   LEAKED       generation int32, detail str: a retired generation is still reachable
 *    9 worker→proxy   BIND         connection int64, user str: a handler's login ("" = logout), before its RESULT
 *   10 worker→proxy   PUSH         push id int64 (0: no answer wanted), kind uint8 (0 users, 1 all, 2 frame
 *                                  then close, 3 close), users (int32 n, n × str), cmd int32, body bytes
 *   12 worker→proxy   TIMER_REPORT generation int32, plugins (int32 n, n × (plugin str, runs int64, failures
 *                                  int64, skipped int64, late p99 µs int64, late max µs int64)); between tasks, at
 *                                  most once a second, only when a timer ran
 *   13 worker→proxy   LONG_TICK    generation int32, plugin str, timer str ("every 100 ms", "after"), running
 *                                  ms int64: a timer tick has run a quarter of task-timeout (at most 1 s);
 *                                  sent by the tick watch's thread, at most once per timer pass. Until
 *                                  LONG_TICK_DONE the proxy times the tick, not a task it handed the worker,
 *                                  and has the worker dumped and killed if the tick reaches task-timeout
 *   14 worker→proxy   LONG_TICK_DONE running ms int64: that timer pass ended; the worker reads frames again
 *   11 proxy→worker   PUSHED       push id int64, delivered int32, offline int32, dropped int32, offline users
 *                                  (int32 n, n × str); an answer to a PUSH made during a task is sent after
 *                                  that task's RESULT, so the worker, which reads nothing while it runs a
 *                                  task, never stalls the link
 *   20 proxy→master   PROXY_UP     (none): the worker socket accepts; workers may be spawned
 *   21 proxy→master   LISTENING    http port int32, box port int32
 *   22 master→proxy   SHUTDOWN     mode uint8 (0 graceful, 1 fast)
 *   23 proxy→master   WORKER_READY group str, slot int32, pid int64, generation int32
 *   24 proxy→master   RECYCLE      pid int64, reason str: replace this worker, spawn-first
 *   25 proxy→master   STUCK        pid int64, detail str: past task-timeout; dump its threads, kill it
 *   26 master→proxy   RELOAD       operation int64: reload_workers
 *   27 proxy→master   RELOADED     operation int64, ok uint8, tried int32, serving int32, summary str, details
 *   28 master→proxy   RETIRE       pid int64: drain this worker (no new task, STOP after the current one)
 *   29 proxy→master   ADMIN_COMMAND request int64, operation str, group str, workers int32:
 *                                  reload_workers, restart_workers, change_group, stop
 *   30 proxy→master   PROXY_HELLO  pid int64, secret str: the first frame; a wrong secret closes the connection
 *   31 master→proxy   OPERATION    id int64, kind str, trigger str, state str, started int64 (epoch ms),
 *                                  finished int64 (-1 while running), outcome str, request int64, details
 *   32 proxy→master   BOOT_FAILED  group str, slot int32, pid int64, generation int32, reason str
 *   33 master→proxy   GROUP_HEALTH group str, degraded uint8, reason str
 *   34 master→proxy   GROUP_SIZE   group str, workers int32: a group's target size (change_group, and at hello)
 * </pre>
 * details = count int32, then per line: subject str, outcome str. Result status codes are explicit
 * (0 reply, 1 no reply, 2 unknown cmd, 3 handler error), never an enum's position.
 *
 * A worker has at most one TASK outstanding: the proxy sends the next one only after the RESULT.
 * A LOAD after READY is a swap (reload): the proxy sends it only to a worker with no task, and sends
 * no task until the worker answers READY (new generation running) or LOAD_FAILED (old one still running).
 */
package dev.burst.container.protocol;
