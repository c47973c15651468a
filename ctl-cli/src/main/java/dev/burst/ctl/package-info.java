/**
 * burstctl: the operator console over burst's admin REST API.
 *
 * <p>{@link dev.burst.ctl.Burstctl} is the only public type. It runs one command and exits (one-shot), or,
 * without a command on a terminal, a jline console with completion and history. Everything runs on the
 * main thread; the console interrupts it on Ctrl-C to end a {@code stat --loop} or a {@code --wait}.
 *
 * <h2>What burstctl calls</h2>
 * Every call carries {@code Authorization: Bearer <token>}; errors answer {@code {"error":"message"}}.
 * <pre>
 * command          call                          success              failure
 * stat             GET  /admin/stat              200 stat             401
 * version          GET  /admin/version           200                  401
 * workers          GET  /admin/workers           200 {"workers":[..]} 401
 * plugins          GET  /admin/plugins           200                  401
 * reload_workers   POST /admin/reload            200 outcome          409 outcome (ok=false)
 * restart_workers  POST /admin/restart           202 {"operation":id} 409
 * change_group     PUT  /admin/groups/{g}        202 {"operation":id} 400 unknown group, bad count
 *                       {"workers":N}
 * clear            POST /admin/clear             200 {"cleared":n}    400 unknown group
 *                       {"group":"g"}
 * stop             POST /admin/stop              202 {"operation":id} 409
 * operations       GET  /admin/operations[?limit=N]  200 {"operations":[op..]}, oldest first
 * operations ID,   GET  /admin/operations/{id}   200 op               404 {"error":"no operation 7"}
 *   --wait (every 200 ms until op.state is no longer running)
 * push             POST /admin/push              200 outcome          400 bad users, cmd, body
 *                       {"users":[..] | "all":true, "cmd":N, "body":"..", "encoding":"base64" (with --base64)}
 * users            GET  /admin/users[?limit=N]   200 {"online":N,"users":[..]}
 * users ID         GET  /admin/users/{id}        200 {"user","online","connections":[{"id","protocol","client","since"}]}
 * kick             POST /admin/users/close       200 outcome          400
 *                       {"users":[..]} (+ "cmd", "body", "encoding" for a last frame)
 * ui               GET  /admin/version           200, then prints  URL/admin/ui#token=TOKEN
 *                  (the token form-encoded; the page reads it from the fragment)
 * </pre>
 * A reload's outcome is {@code {"operation":op,"ok":..,"generation":..,"tried_generation":..,"swapped":..,
 * "failures":[..],"summary":".."}}. An operation record {@code op} is {@code {"id","kind","trigger","state",
 * "started","finished","duration_ms","outcome","details":[{"subject","outcome"}]}}; state is running, done,
 * failed or refused, and while running, finished and duration_ms are null.
 * A push's outcome is {@code {"delivered":N,"offline":N,"dropped":N,"offline_users":[..],"users":{u:outcome}}};
 * a kick's is {@code {"closed":N,"offline":N,"offline_users":[..],"users":{..}}}.
 *
 * <h2>Finding a local burst</h2>
 * Its run directory holds {@code ports} (a properties file; {@code admin=} is the admin port on loopback)
 * and {@code admin.token} (one line, mode 0600). {@code --url} and {@code --token} override them; the
 * environment variable {@code BURST_ADMIN_TOKEN} (the server's own {@code burst.admin.token}) comes between.
 *
 * <h2>Exit codes of a one-shot command</h2>
 * 0 done, 1 the server refused or failed (its message on stderr), 2 usage error, 3 burst not reachable.
 */
package dev.burst.ctl;
