package dev.burst.container.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.burst.container.protocol.UserId;
import dev.burst.container.proxy.users.Users;
import dev.burst.container.proxy.users.Users.PushResult;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The admin API's users and push endpoints, maple's trigger: an operator pushes frames to users, closes
 * their connections and looks up who is online. {@link AdminApi} routes to it, behind the same token.
 *
 * <pre>
 * POST /admin/push         {"users":["u1",..] | "all":true, "cmd":N, "body":"..", "encoding":"utf8"|"base64"}
 *                          200 {"delivered":N,"offline":N,"dropped":N,"offline_users":[..],"users":{u:outcome}}
 * POST /admin/users/close  {"users":[..]} and, for a last frame, "cmd" with an optional "body" and "encoding"
 *                          200 {"closed":N,"offline":N,"offline_users":[..],"users":{u:outcome}}
 *                          (with a last frame also "delivered" and "dropped")
 * GET  /admin/users/{id}   200 {"user":id,"online":bool,"connections":[{"id","protocol","client","since"}]}
 * GET  /admin/users?limit= 200 {"online":N,"users":[..]}, the first limit (default 100, at most 10000), sorted
 * </pre>
 * Bad input answers 400 {@code {"error":".."}} naming what was wrong, and nothing is sent or closed: a body is
 * checked whole before a frame goes out.
 *
 * <p>Threads: each request on its own Helidon virtual thread. Pushing and closing never wait for a client:
 * {@link Users} queues each frame or cuts a slow connection off.
 */
final class AdminUsers {

    /** The users GET /admin/users lists unless asked otherwise. */
    static final int DEFAULT_LIMIT = 100;
    /** The most users GET /admin/users lists. */
    static final int MAX_LIMIT = 10_000;
    /**
     * Where a user id starts in {@code GET /admin/users/{id}}. The id is taken from the raw path and decoded
     * here, since the router matches a decoded path, where an id's {@code %2F} would be a {@code /}.
     */
    private static final String USER_PREFIX = "/admin/users/";
    private static final Set<String> PUSH_FIELDS = Set.of("users", "all", "cmd", "body", "encoding");
    private static final Set<String> CLOSE_FIELDS = Set.of("users", "cmd", "body", "encoding");
    private static final String PUSH_SHAPE = "{\"users\":[\"u1\"] or \"all\":true, \"cmd\":N, \"body\":\"...\"}";
    private static final String CLOSE_SHAPE = "{\"users\":[\"u1\"]}";

    /** Input that cannot be carried out; the message names what was wrong. */
    static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }

    /**
     * A frame to send: cmd, ret 0, sn 0, the body.
     *
     * @param cmd  the frame's cmd
     * @param body its payload
     */
    record Frame(int cmd, byte[] body) {
    }

    /**
     * A checked {@code POST /admin/push}.
     *
     * @param users the named users; empty with {@code all}
     * @param all   every logged-in connection
     * @param frame what to push
     */
    record PushOrder(List<String> users, boolean all, Frame frame) {
    }

    /**
     * A checked {@code POST /admin/users/close}.
     *
     * @param users     the users whose connections close
     * @param lastFrame what they get before closing, if anything
     */
    record CloseOrder(List<String> users, Optional<Frame> lastFrame) {
    }

    private final Users users;

    AdminUsers(Users users) {
        this.users = users;
    }

    /** Adds the routes, each wrapped by {@code secured}. */
    void routing(HttpRouting.Builder r, UnaryOperator<Handler> secured) {
        r.post("/admin/push", secured.apply(this::push));
        r.post("/admin/users/close", secured.apply(this::close));
        r.get("/admin/users", secured.apply(this::list));
        r.get(USER_PREFIX + "{+id}", secured.apply(this::user));
    }

    private void push(ServerRequest req, ServerResponse res) {
        PushOrder order;
        try {
            order = pushOrder(text(req));
        } catch (BadInput e) {
            AdminApi.json(res, Status.BAD_REQUEST_400, AdminApi.error(e.getMessage()));
            return;
        }
        Frame f = order.frame();
        PushResult r = order.all() ? users.toAll(f.cmd(), f.body()) : users.toUsers(order.users(), f.cmd(), f.body());
        AdminApi.json(res, Status.OK_200, pushOutcome(order, r));
    }

    private void close(ServerRequest req, ServerResponse res) {
        CloseOrder order;
        try {
            order = closeOrder(text(req));
        } catch (BadInput e) {
            AdminApi.json(res, Status.BAD_REQUEST_400, AdminApi.error(e.getMessage()));
            return;
        }
        PushResult r = order.lastFrame().map(f -> users.close(order.users(), f.cmd(), f.body()))
                .orElseGet(() -> users.close(order.users(), 0, null));
        AdminApi.json(res, Status.OK_200, closeOutcome(order, r));
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit;
        try {
            limit = limit(req.query().first("limit").asOptional());
        } catch (BadInput e) {
            AdminApi.json(res, Status.BAD_REQUEST_400, AdminApi.error(e.getMessage()));
            return;
        }
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("online", users.online());
        ArrayNode list = out.putArray("users");
        users.page(limit).forEach(list::add);
        AdminApi.json(res, Status.OK_200, out);
    }

    private void user(ServerRequest req, ServerResponse res) {
        String id;
        try {
            id = userInPath(req.path().rawPath());
        } catch (BadInput e) {
            AdminApi.json(res, Status.BAD_REQUEST_400, AdminApi.error(e.getMessage()));
            return;
        }
        Optional<String> invalid = UserId.invalid(id);
        if (invalid.isPresent()) {
            AdminApi.json(res, Status.BAD_REQUEST_400, AdminApi.error(invalid.get()));
            return;
        }
        List<Users.Session> sessions = users.sessions(id);
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("user", id);
        out.put("online", !sessions.isEmpty());
        ArrayNode connections = out.putArray("connections");
        for (Users.Session s : sessions) {
            connections.addObject()
                    .put("id", s.connection())
                    .put("protocol", s.protocol())
                    .put("client", s.clientAddress())
                    .put("since", Instant.ofEpochMilli(s.sinceMillis()).toString());
        }
        AdminApi.json(res, Status.OK_200, out);
    }

    /** @return the answer to a push: counts, offline users, and each named user's outcome */
    static ObjectNode pushOutcome(PushOrder order, PushResult r) {
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("delivered", r.delivered());
        out.put("offline", r.offline());
        out.put("dropped", r.dropped());
        offline(out, r);
        perUser(out, order.users(), r, "delivered");
        return out;
    }

    /**
     * @return the answer to a close: connections closed (a slow one that could not take the last frame is
     *         closed too), offline users, and each named user's outcome
     */
    static ObjectNode closeOutcome(CloseOrder order, PushResult r) {
        ObjectNode out = StatReport.JSON.createObjectNode();
        out.put("closed", r.delivered() + r.dropped());
        if (order.lastFrame().isPresent()) {
            out.put("delivered", r.delivered());
            out.put("dropped", r.dropped());
        }
        out.put("offline", r.offline());
        offline(out, r);
        perUser(out, order.users(), r, "closed");
        return out;
    }

    private static String text(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(String.class) : "";
    }

    /** {@code offline_users}: the named users who had no connection (the first 1000). */
    private static void offline(ObjectNode out, PushResult r) {
        ArrayNode offline = out.putArray("offline_users");
        r.offlineUsers().forEach(offline::add);
    }

    /**
     * {@code users}: each named user's outcome, {@code reached} (delivered or closed) or {@code offline}; left
     * out when it cannot be told exactly: a connection was dropped as a slow consumer (the counts say how many,
     * not whose), or more users were offline than {@code offline_users} lists.
     */
    private static void perUser(ObjectNode out, List<String> named, PushResult r, String reached) {
        if (named.isEmpty() || r.dropped() > 0 || r.offlineUsers().size() < r.offline()) {
            return;
        }
        Set<String> offline = new HashSet<>(r.offlineUsers());
        ObjectNode map = out.putObject("users");
        for (String user : named) {
            map.put(user, offline.contains(user) ? "offline" : reached);
        }
    }

    /**
     * @param rawPath the request's path as sent, {@code /admin/users/} and the percent-encoded user id
     * @return the user id
     * @throws BadInput when its percent-encoding is broken
     */
    static String userInPath(String rawPath) throws BadInput {
        String encoded = rawPath.startsWith(USER_PREFIX) ? rawPath.substring(USER_PREFIX.length()) : "";
        try {
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadInput("the user id in the path is not percent-encoded properly: " + e.getMessage());
        }
    }

    /**
     * Checks a push request body whole.
     *
     * @param text the request body
     * @return what to push, to whom
     * @throws BadInput naming what was wrong
     */
    static PushOrder pushOrder(String text) throws BadInput {
        JsonNode n = object(text, PUSH_SHAPE, PUSH_FIELDS);
        JsonNode all = n.get("all");
        if (all != null && !all.isBoolean()) {
            throw new BadInput("all must be true or false, not " + all);
        }
        boolean toAll = all != null && all.booleanValue();
        if (toAll && n.has("users")) {
            throw new BadInput("give users or all:true, not both");
        }
        if (!toAll && !n.has("users")) {
            throw new BadInput("say whom to push to: \"users\":[\"u1\",...] or \"all\":true");
        }
        List<String> named = toAll ? List.of() : users(n.get("users"));
        if (!n.has("cmd")) {
            throw new BadInput("cmd is missing: the pushed frame's cmd, an integer");
        }
        return new PushOrder(named, toAll, frame(n));
    }

    /**
     * Checks a close request body whole.
     *
     * @param text the request body
     * @return whom to close, and the last frame they get
     * @throws BadInput naming what was wrong
     */
    static CloseOrder closeOrder(String text) throws BadInput {
        JsonNode n = object(text, CLOSE_SHAPE, CLOSE_FIELDS);
        if (!n.has("users")) {
            throw new BadInput("users is missing: \"users\":[\"u1\",...], whose connections to close");
        }
        List<String> named = users(n.get("users"));
        if (!n.has("cmd")) {
            if (n.has("body") || n.has("encoding")) {
                throw new BadInput("a last frame needs its cmd: body or encoding without cmd");
            }
            return new CloseOrder(named, Optional.empty());
        }
        return new CloseOrder(named, Optional.of(frame(n)));
    }

    /**
     * @param text the limit query parameter, if given
     * @return how many users to list
     * @throws BadInput when it is not 1 to {@value #MAX_LIMIT}
     */
    static int limit(Optional<String> text) throws BadInput {
        if (text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadInput("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text.get() + "'");
        }
        return limit;
    }

    /** @return the body as a JSON object holding only known fields */
    private static JsonNode object(String text, String shape, Set<String> fields) throws BadInput {
        if (text.isBlank()) {
            throw new BadInput("the body must be a JSON object like " + shape + "; it is empty");
        }
        JsonNode n;
        try {
            n = StatReport.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInput("the body is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new BadInput("the body must be a JSON object like " + shape);
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new BadInput("unknown field '" + name + "'; the fields are " + fields.stream().sorted().toList());
            }
        }
        return n;
    }

    /** @return the user ids of a non-empty array of valid ones */
    private static List<String> users(JsonNode users) throws BadInput {
        if (!users.isArray()) {
            throw new BadInput("users must be an array of user ids, like [\"u1\",\"u2\"]");
        }
        if (users.isEmpty()) {
            throw new BadInput("users is empty: name at least one user");
        }
        List<String> ids = new ArrayList<>(users.size());
        for (int i = 0; i < users.size(); i++) {
            JsonNode u = users.get(i);
            if (!u.isTextual()) {
                throw new BadInput("users[" + i + "] must be a string, not " + u);
            }
            Optional<String> invalid = UserId.invalid(u.textValue());
            if (invalid.isPresent()) {
                throw new BadInput("users[" + i + "]: " + invalid.get());
            }
            ids.add(u.textValue());
        }
        return List.copyOf(ids);
    }

    /** @return the frame of cmd, body and encoding; a missing body is an empty one */
    private static Frame frame(JsonNode n) throws BadInput {
        JsonNode cmd = n.get("cmd");
        if (!cmd.isIntegralNumber() || !cmd.canConvertToInt()) {
            throw new BadInput("cmd must be an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE
                    + ", not " + cmd);
        }
        JsonNode encoding = n.get("encoding");
        if (encoding != null && !encoding.isTextual()) {
            throw new BadInput("encoding must be \"utf8\" or \"base64\", not " + encoding);
        }
        String how = encoding == null ? "utf8" : encoding.textValue();
        if (!how.equals("utf8") && !how.equals("base64")) {
            throw new BadInput("encoding must be \"utf8\" or \"base64\", not \"" + how + "\"");
        }
        JsonNode body = n.get("body");
        if (body != null && !body.isTextual()) {
            throw new BadInput("body must be a string (text, or base64 with \"encoding\":\"base64\"), not a "
                    + body.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String text = body == null ? "" : body.textValue();
        if (how.equals("utf8")) {
            return new Frame(cmd.intValue(), text.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return new Frame(cmd.intValue(), Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new BadInput("body is not valid base64: " + e.getMessage());
        }
    }
}
