package dev.burst.ctl;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The commands of burstctl, named as in the Python burst's burstctl, with their arguments and help. */
enum Command {
    STAT("stat", "[--loop N] [--count K] [--diff]",
            "totals, groups, cmds, tasks_time, workers, plugins, last reload; --loop refreshes every N s\n"
                    + "until Ctrl-C or K samples; --diff shows each counter's change since the previous sample\n"
                    + "(--count or --diff alone: every 1 s; --diff alone: 2 samples)"),
    CHANGE_GROUP("change_group", "GROUP N [--wait]",
            "run N workers in GROUP; prints the operation's id; --wait follows\n"
                    + "the operation until it ends and prints its outcome (exit 1 unless done)"),
    RELOAD_WORKERS("reload_workers", "", "snapshot plugins/ as a new generation, which the workers swap in place\n"
            + "(a canary per group first, then one at a time); waits and prints the outcome"),
    RESTART_WORKERS("restart_workers", "[--wait]", "replace every worker, one at a time, same plugins; prints the\n"
            + "operation's id; --wait follows the operation as for change_group"),
    OPERATIONS("operations", "[--limit N | ID]", "the operations burst keeps (its newest 100 reloads, restarts, group\n"
            + "changes, recycles, stops): id, kind, trigger, state, start, duration, outcome, newest\n"
            + "last; --limit N: only the newest N; ID: that operation with its details"),
    STOP("stop", "", "stop burst gracefully; prints the operation's id"),
    VERSION("version", "", "burst and java versions, the proxy's pid, uptime, generation"),
    WORKERS("workers", "", "each worker's pid, state, generation, uptime, tasks, restarts, RSS"),
    PLUGINS("plugins", "", "the plugin generation and its files with their SHA-256"),
    CLEAR("clear", "GROUP", "drop the queued tasks of GROUP, each answered -10002"),
    UI("ui", "", "the link of the dashboard, a live page of burst for a browser (charts, workers,\n"
            + "operations, reload); the admin token rides in its fragment (#token=...), which the browser\n"
            + "never sends to a server: share the link as you would the token"),
    PUSH("push", "--cmd N [--body TEXT [--base64]] (--all | USER...)",
            "push a frame (cmd N, ret 0, sn 0) to each connection of the users, or with --all to\n"
                    + "every logged-in connection; --body is its body as text, or as base64 with --base64;\n"
                    + "prints how many connections got it and which users were offline"),
    USERS("users", "[--limit N | ID]", "the users online (the first N sorted, default 100), or with ID that\n"
            + "user's connections: id, protocol, client address, logged in since"),
    KICK("kick", "USER... [--cmd N [--body TEXT [--base64]]]", "close every connection of the users, after a last frame\n"
            + "(cmd N, ret 0, sn 0) when --cmd is given; prints how many connections closed"),
    HELP("help", "", "this text");

    private final String word;
    private final String args;
    private final String summary;

    Command(String word, String args, String summary) {
        this.word = word;
        this.args = args;
        this.summary = summary;
    }

    String word() {
        return word;
    }

    boolean takesArguments() {
        return !args.isEmpty();
    }

    /** @return the command as typed with its arguments, like {@code change_group GROUP N} */
    String synopsis() {
        return args.isEmpty() ? word : word + " " + args;
    }

    static Optional<Command> named(String word) {
        return Arrays.stream(values()).filter(c -> c.word.equals(word)).findFirst();
    }

    static List<String> words() {
        return Arrays.stream(values()).map(Command::word).toList();
    }

    /** @return the help text: usage, commands, where the URL and token come from, exit codes */
    static String help() {
        StringBuilder commands = new StringBuilder();
        for (Command c : values()) {
            commands.append("  ").append(c.synopsis()).append('\n');
            c.summary.lines().forEach(l -> commands.append("      ").append(l).append('\n'));
        }
        return """
                %s

                commands:
                %s
                Without a command, on a terminal: a console with completion (TAB) and history
                (~/.burstctl_history); exit, quit or Ctrl-D leaves it, Ctrl-C stops a stat --loop or
                a --wait (the operation goes on).

                options:
                  --url URL      the admin API, like http://127.0.0.1:9910
                                 (default: the admin port in the run directory, on 127.0.0.1)
                  --token TOKEN  the admin token (default: $%s, else the run directory's admin.token)
                  --run-dir DIR  the run directory of a local burst, holding ports and admin.token
                                 (default: run/ in the burst home when started as bin/burstctl, else ./run)
                  --json         print the server's JSON instead of tables (stat --diff adds a "diff" object)

                exit status: 0 done, 1 the server refused or failed, 2 usage error, 3 burst not reachable
                """.formatted(Options.USAGE, commands, Endpoint.TOKEN_ENV);
    }
}
