package dev.burst.ctl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The interactive console: prompt {@value #PROMPT}, completion of command names, their options and group names,
 * history in a file, Ctrl-C to clear the line or stop a running command, exit, quit or Ctrl-D to leave.
 *
 * <p>Runs on the thread that calls {@link #run()}; the terminal's INT handler interrupts that thread while a
 * command runs, which ends a {@code stat --loop} or stops waiting for an answer.
 */
final class Console {

    static final String PROMPT = "burst> ";
    private static final List<String> LEAVE = List.of("exit", "quit");
    private static final List<String> STAT_OPTIONS = List.of("--loop", "--count", "--diff");
    private static final String OPERATIONS_LIMIT = "--limit";
    private static final List<String> FRAME_OPTIONS = List.of(UsersCommands.CMD, UsersCommands.BODY,
            UsersCommands.BASE64);
    private static final List<String> PUSH_OPTIONS = List.of(UsersCommands.CMD, UsersCommands.BODY,
            UsersCommands.BASE64, UsersCommands.ALL);

    private final Session session;
    private final Terminal terminal;
    private final Path history;
    /** Group names for completion; the completer runs inside readLine, on the console thread too. */
    private List<String> groups = List.of();

    Console(Session session, Terminal terminal, Path history) {
        this.session = session;
        this.terminal = terminal;
        this.history = history;
    }

    /** Reads and runs command lines until exit, quit or end of input. */
    Exit run() {
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("burstctl")
                .completer(completer())
                .variable(LineReader.HISTORY_FILE, history)
                .build();
        Thread console = Thread.currentThread();
        terminal.handle(Terminal.Signal.INT, signal -> console.interrupt());
        terminal.writer().println("burstctl: help lists the commands, TAB completes, exit leaves");
        refreshGroups(true);
        while (true) {
            // A Ctrl-C while the last command ran was for that command, which has ended: clear it.
            Thread.interrupted();
            String line;
            try {
                line = reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt drops the line, as in a shell
            } catch (EndOfFileException e) {
                break; // Ctrl-D
            }
            List<String> words = reader.getParsedLine().words().stream().filter(w -> !w.isEmpty()).toList();
            if (words.isEmpty()) {
                continue;
            }
            if (LEAVE.contains(words.getFirst())) {
                break;
            }
            Exit exit = session.run(words);
            if (exit == Exit.OK && (groups.isEmpty() || words.getFirst().equals(Command.CHANGE_GROUP.word()))) {
                refreshGroups(false); // a group changed, or burst is up now that was not when the console started
            }
        }
        saveHistory(reader);
        return Exit.OK;
    }

    private Completer completer() {
        return (reader, line, candidates) -> choices(line.words(), line.wordIndex(), groups)
                .forEach(c -> candidates.add(new Candidate(c)));
    }

    /**
     * @return what may be typed as the word at index of a command line: a command first, then its options and
     *         group names
     */
    static List<String> choices(List<String> words, int index, List<String> groups) {
        if (index == 0) {
            List<String> choices = new ArrayList<>(Command.words());
            choices.addAll(LEAVE);
            return choices;
        }
        return Command.named(words.getFirst()).map(c -> switch (c) {
            case CHANGE_GROUP -> index == 1 ? groups : index == 3 ? List.of(Session.WAIT) : List.<String>of();
            case CLEAR -> index == 1 ? groups : List.<String>of();
            case RESTART_WORKERS -> index == 1 ? List.of(Session.WAIT) : List.<String>of();
            case OPERATIONS -> index == 1 ? List.of(OPERATIONS_LIMIT) : List.<String>of();
            case STAT -> STAT_OPTIONS;
            case PUSH -> PUSH_OPTIONS;
            case KICK -> FRAME_OPTIONS;
            case USERS -> index == 1 ? List.of(UsersCommands.LIMIT) : List.<String>of();
            default -> List.<String>of();
        }).orElse(List.of());
    }

    /** Fetches the group names for completion; without a burst to ask, completion offers none. */
    private void refreshGroups(boolean sayWhyNot) {
        try {
            groups = List.copyOf(session.groups());
        } catch (UnreachableException | RefusedException e) {
            if (sayWhyNot) {
                terminal.writer().println("burstctl: " + e.getMessage() + " (group names will not complete)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminal.writer().flush();
    }

    private void saveHistory(LineReader reader) {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            terminal.writer().println("burstctl: cannot save the history to " + history + ": " + e.getMessage());
            terminal.writer().flush();
        }
    }
}
