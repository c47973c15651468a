package dev.burst.examples.chat;

import dev.burst.api.Before;
import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Push;
import dev.burst.api.Request;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A chat room over push: clients on Box (TCP) or WebSocket connections log in, then every line said
 * reaches everyone logged in. Request bodies and pushed lines are UTF-8 text.
 *
 * <table>
 *   <caption>cmds</caption>
 *   <tr><th>cmd</th><th>body</th><th>reply</th><th>pushes</th></tr>
 *   <tr><td>100 login</td><td>a name</td><td>{@code welcome <name>}</td><td>200 {@code <name> joined} to all</td></tr>
 *   <tr><td>101 say</td><td>text</td><td>empty</td><td>201 {@code <user>: <text>} to all</td></tr>
 *   <tr><td>102 tell</td><td>{@code <to>\n<text>}</td><td>{@code sent}</td><td>202 {@code <user> (private):
 *       <text>} to that user; if nobody has that name, 203 {@code <to> is offline} to the sender</td></tr>
 *   <tr><td>103 leave</td><td>none</td><td>{@code bye}</td><td>204 {@code <user> left} to all</td></tr>
 * </table>
 * A connection with a user that closes is announced too: 204 {@code <user> left (<reason>)}. Before login,
 * say, tell and leave are answered ret 1 {@code login first}; a request that is not understood, ret 2 with
 * what was wrong.
 *
 * <p>There is one room, everyone logged in, on purpose: the proxy knows who that is, and
 * {@link Push#toAll} reaches them from any worker. Rooms of their own would need their members kept
 * somewhere, and a field of this class is one worker's memory: with several workers, each request may run
 * on another one, so each worker would see other members. That waits for sticky routing (a user's requests
 * always on the same worker).
 *
 * <p>Threads: burst creates it and calls {@code start}, the hook, the handlers, the disconnect handler and
 * the callbacks of push stages on the worker's task thread, one at a time. Its only state is the push.
 */
public final class ChatPlugin implements Plugin {

    static final int LOGIN = 100;
    static final int JOINED = 200;
    static final int LINE = 201;
    static final int PRIVATE = 202;
    static final int OFFLINE = 203;
    static final int LEFT = 204;
    /** ret: the request needs a logged-in connection. */
    static final int NOT_LOGGED_IN = 1;
    /** ret: the request was not understood; the body says why. */
    static final int BAD_REQUEST = 2;

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._-]{1,32}");

    private Push push;

    @Override
    public void start(PluginContext context) {
        push = context.push();
        context.onDisconnect(event -> announce(LEFT, event.user() + " left (" + event.reason() + ")"));
        context.logger().log(Level.INFO, "chat plugin started: login (cmd 100), say (101), tell (102), leave (103)");
    }

    @Before
    void loggedIn(Request request) {
        if (request.cmd() != LOGIN && request.user().isEmpty()) {
            request.reply(NOT_LOGGED_IN, bytes("login first"));
        }
    }

    @Cmd(id = LOGIN, name = "login")
    void login(Request request) {
        String name = request.text().strip();
        if (!NAME.matcher(name).matches()) {
            request.reply(BAD_REQUEST, bytes("login: a name is 1 to 32 letters, digits, '.', '-' or '_', got '"
                    + name + "'"));
        } else if (request.user().isPresent()) {
            request.reply(BAD_REQUEST, bytes("login: already logged in as " + request.user().get() + "; leave first"));
        } else {
            try {
                request.login(name);
            } catch (IllegalStateException e) { // over HTTP: no connection to log in
                request.reply(BAD_REQUEST, bytes(e.getMessage()));
                return;
            }
            announce(JOINED, name + " joined");
            request.reply("welcome " + name);
        }
    }

    @Cmd(id = 101, name = "say")
    String say(Request request) {
        announce(LINE, user(request) + ": " + request.text());
        return "";
    }

    /** Replies {@code sent} at once: whether the user was online is known only once this handler returned. */
    @Cmd(id = 102, name = "tell")
    void tell(Request request) {
        String[] toAndText = request.text().split("\n", 2);
        if (toAndText.length < 2 || toAndText[0].isBlank()) {
            request.reply(BAD_REQUEST, bytes("tell: the body is the user's name, a line break, then the text"));
            return;
        }
        String from = user(request);
        String to = toAndText[0].strip();
        push.toUsers(List.of(to), PRIVATE, bytes(from + " (private): " + toAndText[1])).thenAccept(outcome -> {
            if (outcome.offline() > 0) {
                push.toUsers(List.of(from), OFFLINE, bytes(to + " is offline"));
            }
        });
        request.reply("sent");
    }

    @Cmd(id = 103, name = "leave")
    String leave(Request request) {
        String user = user(request);
        request.logout();
        announce(LEFT, user + " left");
        return "bye";
    }

    private void announce(int cmd, String line) {
        push.toAll(cmd, bytes(line)); // what became of it is counted in stat; nothing to do here either way
    }

    /** @return the logged-in user, which the before hook made sure of */
    private static String user(Request request) {
        return request.user().orElseThrow();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
