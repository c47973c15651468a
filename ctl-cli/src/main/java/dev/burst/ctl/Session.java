package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs command lines against one burst and prints their outcome: tables, or the server's JSON with
 * {@code --json}. Errors go to the error writer as one line each. Used once by a one-shot burstctl, for every
 * line by the console; runs on the caller's thread.
 */
final class Session {

    /** The option of restart_workers and change_group that follows the operation until it ends. */
    static final String WAIT = "--wait";
    /** How long --wait follows an operation: as long as burstctl waits for any operation's answer. */
    static final Duration WAIT_BOUND = Duration.ofSeconds(AdminClient.OPERATION_SECONDS);

    private final AdminClient client;
    private final boolean json;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Duration waitBound;

    Session(AdminClient client, boolean json, PrintWriter out, PrintWriter err) {
        this(client, json, out, err, WAIT_BOUND);
    }

    /** A session whose --wait gives up after waitBound (tests use a short one). */
    Session(AdminClient client, boolean json, PrintWriter out, PrintWriter err, Duration waitBound) {
        this.client = client;
        this.json = json;
        this.out = out;
        this.err = err;
        this.waitBound = waitBound;
    }

    /** Runs one command line (command word first) and says how it ended. */
    Exit run(List<String> words) {
        try {
            return dispatch(words);
        } catch (UsageException e) {
            err.println("burstctl: " + e.getMessage());
            err.println(words.isEmpty() ? Options.USAGE : Command.named(words.getFirst())
                    .map(c -> "usage: " + c.synopsis()).orElse("try: help"));
            return Exit.USAGE;
        } catch (RefusedException e) {
            err.println("burstctl: " + e.getMessage());
            return Exit.FAILED;
        } catch (UnreachableException e) {
            err.println("burstctl: " + e.getMessage());
            return Exit.UNREACHABLE;
        } catch (InterruptedException e) {
            // The console's Ctrl-C while waiting for an answer: the server may still carry the operation out.
            Thread.currentThread().interrupt();
            err.println("burstctl: interrupted while waiting for burst's answer; the operation may still complete");
            return Exit.FAILED;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** @return the names of the groups, from {@code GET /admin/stat} (for completion) */
    List<String> groups() throws UnreachableException, RefusedException, InterruptedException {
        List<String> names = new ArrayList<>();
        client.get("/admin/stat").require().path("groups").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private Exit dispatch(List<String> words)
            throws UsageException, RefusedException, UnreachableException, InterruptedException {
        if (words.isEmpty()) {
            throw new UsageException("no command");
        }
        Command command = Command.named(words.getFirst())
                .orElseThrow(() -> new UsageException("unknown command '" + words.getFirst() + "'"));
        List<String> args = words.subList(1, words.size());
        if (!command.takesArguments() && !args.isEmpty()) {
            throw new UsageException(command.word() + " takes no arguments");
        }
        return switch (command) {
            case STAT -> new StatCommand(client, json, out).run(StatCommand.Args.parse(args));
            case CHANGE_GROUP -> changeGroup(args);
            case RELOAD_WORKERS -> reload();
            case RESTART_WORKERS -> restart(args);
            case STOP -> stop();
            case OPERATIONS -> new OperationsCommand(client, json, out).run(OperationsCommand.Args.parse(args));
            case VERSION -> version(client.get("/admin/version").require());
            case WORKERS -> workers(client.get("/admin/workers").require());
            case PLUGINS -> plugins(client.get("/admin/plugins").require());
            case CLEAR -> clear(args);
            case UI -> ui();
            case PUSH -> users().push(args);
            case USERS -> users().users(args);
            case KICK -> users().kick(args);
            case HELP -> {
                out.print(Command.help());
                yield Exit.OK;
            }
        };
    }

    private UsersCommands users() {
        return new UsersCommands(client, json, out, ZoneId.systemDefault());
    }

    private Exit restart(List<String> args) throws UsageException, RefusedException, UnreachableException,
            InterruptedException {
        if (!args.stream().allMatch(WAIT::equals)) {
            throw new UsageException("restart_workers takes only " + WAIT);
        }
        JsonNode reply = client.post("/admin/restart").require();
        return accepted(reply, "restart_workers", !args.isEmpty());
    }

    private Exit stop() throws RefusedException, UnreachableException, InterruptedException {
        JsonNode reply = client.post("/admin/stop").require();
        return print(reply, "stop accepted" + operation(reply).map(id -> " as operation #" + id).orElse("")
                + ": burst is stopping");
    }

    private Exit changeGroup(List<String> words) throws UsageException, RefusedException, UnreachableException,
            InterruptedException {
        List<String> args = words.stream().filter(w -> !w.equals(WAIT)).toList();
        boolean wait = args.size() < words.size();
        if (args.size() != 2) {
            throw new UsageException("change_group takes a group and a number of workers");
        }
        String group = args.get(0);
        int workers;
        try {
            workers = Integer.parseInt(args.get(1));
        } catch (NumberFormatException e) {
            throw new UsageException("change_group takes a whole number of workers, not '" + args.get(1) + "'");
        }
        if (workers < 0) {
            throw new UsageException("change_group takes 0 or more workers, not " + workers);
        }
        JsonNode body = JsonNodeFactory.instance.objectNode().put("workers", workers);
        JsonNode reply = client.put("/admin/groups/" + AdminClient.segment(group), body).require();
        return accepted(reply, "change_group " + reply.path("group").asText(group) + " "
                + reply.path("workers").asText(Integer.toString(workers)), wait);
    }

    /**
     * A 202: says as which operation the server took the command on; with --wait, follows that operation
     * until it ends and says how, exit 1 unless it is done.
     */
    private Exit accepted(JsonNode reply, String what, boolean wait) throws RefusedException, UnreachableException,
            InterruptedException {
        Optional<Long> operation = operation(reply);
        if (operation.isEmpty()) {
            if (wait) {
                throw new RefusedException(what + " accepted, but burst did not say as which operation, so there is"
                        + " nothing to wait for (is burst older than burstctl?)");
            }
            return print(reply, what + " accepted");
        }
        long id = operation.get();
        String accepted = what + " accepted as operation #" + id;
        if (!wait) {
            return print(reply, accepted + "; follow it with: burstctl operations " + id);
        }
        if (!json) {
            out.println(accepted + "; waiting for it to end");
            out.flush();
        }
        JsonNode op;
        try {
            op = new OperationWait(client, waitBound).until(id);
        } catch (InterruptedException e) {
            // The console's Ctrl-C: stop waiting, as asked; the operation itself goes on in burst.
            Thread.currentThread().interrupt();
            err.println("burstctl: stopped waiting; operation #" + id + " goes on (follow it with: burstctl operations "
                    + id + ")");
            return Exit.FAILED;
        }
        if (json) {
            out.println(op.toPrettyString());
        }
        if (OperationWait.running(op)) {
            err.println("burstctl: operation #" + id + " is still running after "
                    + Cells.seconds(JsonNodeFactory.instance.numberNode(waitBound.toMillis() / 1000.0))
                    + "; follow it with: burstctl operations " + id);
            return Exit.FAILED;
        }
        boolean done = OperationView.DONE.equals(op.path("state").asText());
        if (!json) {
            PrintWriter to = done ? out : err;
            to.println((done ? "" : "burstctl: ") + OperationView.ending(op));
            to.print(OperationView.details(op));
        }
        return done ? Exit.OK : Exit.FAILED;
    }

    /** @return the id of the operation a 202 (or a reload's outcome) names; empty from a server without them */
    private static Optional<Long> operation(JsonNode reply) {
        JsonNode operation = reply.path("operation");
        JsonNode id = operation.isObject() ? operation.path("id") : operation;
        return id.canConvertToLong() && id.isIntegralNumber() ? Optional.of(id.asLong()) : Optional.empty();
    }

    private Exit clear(List<String> args) throws UsageException, RefusedException, UnreachableException,
            InterruptedException {
        if (args.size() != 1) {
            throw new UsageException("clear takes a group");
        }
        JsonNode reply = client.post("/admin/clear", JsonNodeFactory.instance.objectNode().put("group", args.get(0)))
                .require();
        return print(reply, "group " + reply.path("group").asText(args.get(0)) + ": cleared "
                + Cells.value(reply.path("cleared")) + " queued task(s)");
    }

    /**
     * The dashboard's link with the token in its fragment, once burst has answered with this token: a link
     * that would open on "token refused" helps nobody.
     */
    private Exit ui() throws RefusedException, UnreachableException, InterruptedException {
        client.get("/admin/version").require();
        Endpoint endpoint = client.endpoint();
        String link = endpoint.base() + "/admin/ui"
                + endpoint.token().map(t -> "#token=" + fragmentValue(t)).orElse("");
        return print(JsonNodeFactory.instance.objectNode().put("url", link), link);
    }

    /** @return the token form-encoded, as the page's URLSearchParams decodes it */
    static String fragmentValue(String token) {
        return URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /**
     * A reload answers its outcome either way: 200 ok, or 409 with ok=false and the failures; a reload refused at
     * once (another one runs) is a 409 whose operation's state is "refused".
     */
    private Exit reload() throws RefusedException, UnreachableException, InterruptedException {
        Reply reply = client.post("/admin/reload");
        JsonNode outcome = reply.body();
        if (!outcome.has("ok")) {
            reply.require(); // an error that is no outcome, such as 401
        }
        boolean ok = reply.ok() && outcome.path("ok").asBoolean(true);
        if (json) {
            out.println(outcome.toPrettyString());
        } else {
            PrintWriter to = ok ? out : err;
            String summary = outcome.path("summary").asText("");
            boolean refused = OperationView.REFUSED.equals(outcome.path("operation").path("state").asText());
            to.println((ok ? "reload: " : refused ? "burstctl: reload refused: " : "burstctl: reload failed: ")
                    + (summary.isEmpty() ? reply.error() : summary)
                    + operation(outcome).map(id -> " (operation #" + id + ")").orElse(""));
            to.print(StatView.failures(outcome.path("failures")));
        }
        return ok ? Exit.OK : Exit.FAILED;
    }

    private Exit version(JsonNode v) {
        return print(v, "burst " + Cells.value(v.path("burst")) + " on java " + Cells.value(v.path("java"))
                + ", proxy pid " + Cells.value(v.path("pid")) + ", up " + Cells.seconds(v.path("uptime_seconds"))
                + ", generation " + Cells.value(v.path("generation")));
    }

    private Exit workers(JsonNode reply) {
        return print(reply, StatView.values().renderWorkers(reply.path("workers")).stripTrailing());
    }

    private Exit plugins(JsonNode reply) {
        Table files = Table.withHeader("plugin", "source", "sha256");
        for (JsonNode plugin : reply.path("plugins")) {
            for (JsonNode file : plugin.path("files")) {
                String sha = file.path("sha256").asText(Cells.NONE);
                files.row(plugin.path("name").asText(Cells.NONE), file.path("source").asText(Cells.NONE),
                        sha.length() > 16 ? sha.substring(0, 16) + "..." : sha);
            }
        }
        return print(reply, "plugin generation " + Cells.value(reply.path("generation"))
                + (files.isEmpty() ? ", no plugins" : "\n" + files.render().stripTrailing()));
    }

    /** Prints the server's JSON with --json, else the text. */
    private Exit print(JsonNode reply, String text) {
        out.println(json ? reply.toPrettyString() : text);
        return Exit.OK;
    }
}
