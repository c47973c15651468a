package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs command lines against one burst and prints their outcome: tables, or the server's JSON with
 * {@code --json}. Errors go to the error writer as one line each. Used once by a one-shot burstctl, for every
 * line by the console; runs on the caller's thread.
 */
final class Session {

    private final AdminClient client;
    private final boolean json;
    private final PrintWriter out;
    private final PrintWriter err;

    Session(AdminClient client, boolean json, PrintWriter out, PrintWriter err) {
        this.client = client;
        this.json = json;
        this.out = out;
        this.err = err;
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
            case RESTART_WORKERS -> print(client.post("/admin/restart").require(), "restarting all workers");
            case STOP -> print(client.post("/admin/stop").require(), "burst is stopping");
            case VERSION -> version(client.get("/admin/version").require());
            case WORKERS -> workers(client.get("/admin/workers").require());
            case PLUGINS -> plugins(client.get("/admin/plugins").require());
            case CLEAR -> clear(args);
            case HELP -> {
                out.print(Command.help());
                yield Exit.OK;
            }
        };
    }

    private Exit changeGroup(List<String> args) throws UsageException, RefusedException, UnreachableException,
            InterruptedException {
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
        return print(client.put("/admin/groups/" + AdminClient.segment(group), body).require(),
                "group " + group + ": going to " + workers + " worker(s)");
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

    /** A reload answers its outcome either way: 200 ok, or 409 with ok=false and the failures. */
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
            to.println((ok ? "reload: " : "burstctl: reload failed: ")
                    + (summary.isEmpty() ? reply.error() : summary));
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
