package dev.burst.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * burstctl, the operator console of burst:
 * {@code burstctl [--url URL] [--token TOKEN] [--run-dir DIR] [--json] [command [args]]}.
 *
 * <p>With a command, runs it once and exits 0 when done, 1 when the server refused or failed it (its message
 * on stderr), 2 on a usage error, 3 when no burst can be reached. Without a command, on a terminal, runs an
 * interactive console. {@code burstctl help} lists the commands; {@code dev.burst.ctl} describes the calls.
 */
public final class Burstctl {

    /** The console's history file, in the user's home. */
    static final String HISTORY = ".burstctl_history";

    private Burstctl() {
    }

    /**
     * Runs burstctl and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, System.out.charset());
        PrintWriter err = new PrintWriter(System.err, false, System.err.charset());
        Exit exit = run(Arrays.asList(args), out, err, System.getenv());
        out.flush();
        err.flush();
        System.exit(exit.code());
    }

    /** Runs a command line, one-shot or the console, with the given output and environment. */
    static Exit run(List<String> args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            err.println("burstctl: " + e.getMessage());
            err.println(Options.USAGE);
            err.flush();
            return Exit.USAGE;
        }
        if (options.help()) {
            out.print(Command.help());
            out.flush();
            return Exit.OK;
        }
        AdminClient client = new AdminClient(() -> Endpoint.resolve(options, env));
        if (!options.command().isEmpty()) {
            return new Session(client, options.json(), out, err).run(options.command());
        }
        return console(client, options, err);
    }

    /** The console on the system terminal; without one (input or output redirected), a usage error. */
    private static Exit console(AdminClient client, Options options, PrintWriter err) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
                err.println("burstctl: no command, and not on a terminal for the console");
                err.println(Options.USAGE);
                err.flush();
                return Exit.USAGE;
            }
            PrintWriter writer = terminal.writer();
            Session session = new Session(client, options.json(), writer, writer);
            return new Console(session, terminal, Path.of(System.getProperty("user.home"), HISTORY)).run();
        } catch (IOException e) {
            err.println("burstctl: cannot open the terminal: " + e.getMessage());
            err.flush();
            return Exit.USAGE;
        }
    }
}
