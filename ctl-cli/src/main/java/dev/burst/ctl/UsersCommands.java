package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The gateway's commands, over the admin API's users endpoints:
 * <ul>
 *   <li>{@code push --cmd N [--body TEXT [--base64]] (--all | USER...)}: {@code POST /admin/push}</li>
 *   <li>{@code users [--limit N | ID]}: {@code GET /admin/users[?limit=N]} or {@code /admin/users/{id}}</li>
 *   <li>{@code kick USER... [--cmd N [--body TEXT [--base64]]]}: {@code POST /admin/users/close}</li>
 * </ul>
 * Runs on the caller's thread.
 */
final class UsersCommands {

    static final String CMD = "--cmd";
    static final String BODY = "--body";
    static final String BASE64 = "--base64";
    static final String ALL = "--all";
    static final String LIMIT = "--limit";
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * A frame's options: {@code --cmd N}, {@code --body TEXT}, {@code --base64} (the body is base64), and the
     * other words.
     *
     * @param cmd    the frame's cmd
     * @param body   its body as typed
     * @param base64 whether the body is base64
     * @param all    {@code --all}
     * @param users  the words that are no option: user ids
     */
    record Args(OptionalInt cmd, Optional<String> body, boolean base64, boolean all, List<String> users) {

        static Args parse(String command, List<String> words, boolean allowAll) throws UsageException {
            OptionalInt cmd = OptionalInt.empty();
            Optional<String> body = Optional.empty();
            boolean base64 = false;
            boolean all = false;
            List<String> users = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                switch (word) {
                    case CMD -> {
                        String value = value(words, ++i, CMD);
                        try {
                            cmd = OptionalInt.of(Integer.parseInt(value));
                        } catch (NumberFormatException e) {
                            throw new UsageException(CMD + " takes a whole number (an int), not '" + value + "'");
                        }
                    }
                    case BODY -> body = Optional.of(value(words, ++i, BODY));
                    case BASE64 -> base64 = true;
                    case ALL -> {
                        if (!allowAll) {
                            throw new UsageException(command + " takes named users, not " + ALL);
                        }
                        all = true;
                    }
                    default -> {
                        if (word.startsWith("-")) {
                            throw new UsageException(command + " does not take '" + word + "'");
                        }
                        users.add(word);
                    }
                }
            }
            if (base64 && body.isEmpty()) {
                throw new UsageException(BASE64 + " says how " + BODY + " is written; give " + BODY + " too");
            }
            return new Args(cmd, body, base64, all, List.copyOf(users));
        }

        private static String value(List<String> words, int i, String option) throws UsageException {
            if (i >= words.size()) {
                throw new UsageException(option + " needs a value");
            }
            return words.get(i);
        }

        /** Adds cmd, body and encoding to a request body. */
        void frame(ObjectNode request) {
            cmd.ifPresent(c -> request.put("cmd", c));
            body.ifPresent(b -> request.put("body", b));
            if (base64) {
                request.put("encoding", "base64");
            }
        }

        ArrayNode userArray() {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            users.forEach(a::add);
            return a;
        }
    }

    private final AdminClient client;
    private final boolean json;
    private final PrintWriter out;
    private final ZoneId zone;

    UsersCommands(AdminClient client, boolean json, PrintWriter out, ZoneId zone) {
        this.client = client;
        this.json = json;
        this.out = out;
        this.zone = zone;
    }

    /** {@code push}: a frame to the named users, or to all; says what became of it. */
    Exit push(List<String> words) throws UsageException, RefusedException, UnreachableException, InterruptedException {
        Args args = Args.parse("push", words, true);
        if (args.cmd().isEmpty()) {
            throw new UsageException("push needs " + CMD + " N, the pushed frame's cmd");
        }
        if (args.all() == !args.users().isEmpty()) {
            throw new UsageException(args.all() ? "push takes " + ALL + " or users, not both"
                    : "push needs users, or " + ALL + " for every logged-in connection");
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        if (args.all()) {
            request.put("all", true);
        } else {
            request.set("users", args.userArray());
        }
        args.frame(request);
        JsonNode reply = client.post("/admin/push", request).require();
        return print(reply, "push of cmd " + args.cmd().getAsInt() + ": delivered to " + Cells.value(reply.path("delivered"))
                + " connection(s), " + offline(reply) + ", " + Cells.value(reply.path("dropped"))
                + " dropped as slow consumers");
    }

    /** {@code kick}: closes the named users' connections, after a last frame when --cmd is given. */
    Exit kick(List<String> words) throws UsageException, RefusedException, UnreachableException, InterruptedException {
        Args args = Args.parse("kick", words, false);
        if (args.users().isEmpty()) {
            throw new UsageException("kick needs the users whose connections to close");
        }
        if (args.cmd().isEmpty() && args.body().isPresent()) {
            throw new UsageException("a last frame needs " + CMD + " N as well as " + BODY);
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.set("users", args.userArray());
        args.frame(request);
        JsonNode reply = client.post("/admin/users/close", request).require();
        String last = args.cmd().isEmpty() ? "" : " after a last frame of cmd " + args.cmd().getAsInt() + " (delivered to "
                + Cells.value(reply.path("delivered")) + ", " + Cells.value(reply.path("dropped")) + " dropped as slow)";
        return print(reply, "closed " + Cells.value(reply.path("closed")) + " connection(s)" + last + ", "
                + offline(reply));
    }

    /** {@code users}: who is online (the first N, sorted), or one user's connections. */
    Exit users(List<String> words) throws UsageException, RefusedException, UnreachableException, InterruptedException {
        OptionalInt limit = OptionalInt.empty();
        Optional<String> id = Optional.empty();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals(LIMIT)) {
                String value = Args.value(words, ++i, LIMIT);
                try {
                    limit = OptionalInt.of(Integer.parseInt(value));
                } catch (NumberFormatException e) {
                    throw new UsageException(LIMIT + " takes a whole number, not '" + value + "'");
                }
                if (limit.getAsInt() < 1) {
                    throw new UsageException(LIMIT + " takes 1 or more, not " + value);
                }
            } else if (word.startsWith("-")) {
                throw new UsageException("users does not take '" + word + "'");
            } else if (id.isPresent()) {
                throw new UsageException("users takes one user id, not '" + word + "' too");
            } else {
                id = Optional.of(word);
            }
        }
        if (limit.isPresent() && id.isPresent()) {
            throw new UsageException("users takes " + LIMIT + " N or a user id, not both");
        }
        if (id.isPresent()) {
            JsonNode reply = client.get("/admin/users/" + AdminClient.segment(id.get())).require();
            return print(reply, user(reply));
        }
        JsonNode reply = client.get(limit.isPresent() ? "/admin/users?limit=" + limit.getAsInt() : "/admin/users")
                .require();
        return print(reply, list(reply));
    }

    /** @return "u2: online, 1 connection(s)" and a table of them, or "u9: offline" */
    String user(JsonNode reply) {
        String user = Cells.value(reply.path("user"));
        if (!reply.path("online").asBoolean(false)) {
            return user + ": offline";
        }
        Table t = Table.withHeader("id", "protocol", "client", "since").text(2).text(3);
        for (JsonNode c : reply.path("connections")) {
            t.row(Cells.value(c.path("id")), Cells.value(c.path("protocol")), Cells.value(c.path("client")),
                    since(c.path("since")));
        }
        StringBuilder text = new StringBuilder(user + ": online, " + reply.path("connections").size()
                + " connection(s)");
        t.render().lines().forEach(l -> text.append("\n  ").append(l));
        return text.toString();
    }

    /** @return "3 user(s) online", then one a line; says so when the page holds fewer than are online */
    static String list(JsonNode reply) {
        JsonNode users = reply.path("users");
        long online = reply.path("online").asLong(users.size());
        StringBuilder text = new StringBuilder(online + " user(s) online");
        if (users.size() < online) {
            text.append(", the first ").append(users.size()).append(" listed (").append(LIMIT).append(" N for more)");
        }
        users.forEach(u -> text.append('\n').append(u.asText()));
        return text.toString();
    }

    /** @return "1 user(s) offline (nobody)", the names as far as the server lists them */
    private static String offline(JsonNode reply) {
        long offline = reply.path("offline").asLong(0);
        if (offline == 0) {
            return "no user offline";
        }
        List<String> names = new ArrayList<>();
        reply.path("offline_users").forEach(u -> names.add(u.asText()));
        return offline + " user(s) offline (" + String.join(", ", names) + (names.size() < offline ? ", ..." : "")
                + ")";
    }

    private String since(JsonNode instant) {
        try {
            return Instant.parse(instant.asText()).atZone(zone).format(SINCE);
        } catch (DateTimeParseException e) {
            return Cells.value(instant);
        }
    }

    private Exit print(JsonNode reply, String text) {
        out.println(json ? reply.toPrettyString() : text);
        return Exit.OK;
    }
}
