package dev.burst.container.worker;

import dev.burst.api.Request;
import dev.burst.container.protocol.UserId;
import dev.burst.container.protocol.WireMessage.Task;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A task as its hooks and handler see it. Lives on the task thread; answered at most once, and only
 * while the before hooks and the handler run.
 */
final class TaskRequest implements Request {

    private final Task task;
    private final Gateway gateway;
    /** The connection's user, as this request knows it: the task's, then what login/logout made it. */
    private String user;
    private Map<String, Object> attributes;
    private boolean open = true;
    private boolean replied;
    private int ret;
    private byte[] reply;

    TaskRequest(Task task, Gateway gateway) {
        this.task = task;
        this.gateway = gateway;
        this.user = task.user();
    }

    @Override
    public int cmd() {
        return task.cmd();
    }

    @Override
    public int sn() {
        return task.sn();
    }

    @Override
    public byte[] body() {
        return task.body().clone();
    }

    @Override
    public ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(task.body()).asReadOnlyBuffer();
    }

    @Override
    public String text() {
        return new String(task.body(), StandardCharsets.UTF_8);
    }

    @Override
    public String clientAddress() {
        return task.client();
    }

    @Override
    public Map<String, Object> attributes() {
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        return attributes;
    }

    @Override
    public synchronized Optional<String> user() {
        return user.isEmpty() ? Optional.empty() : Optional.of(user);
    }

    @Override
    public Optional<String> key() {
        return task.key().isEmpty() ? Optional.empty() : Optional.of(task.key());
    }

    @Override
    public synchronized void login(String user) {
        connected("login");
        UserId.invalid(user).ifPresent(why -> {
            throw new IllegalArgumentException("cmd " + task.cmd() + ": login: " + why);
        });
        gateway.bind(task.connection(), user);
        this.user = user;
    }

    @Override
    public synchronized void logout() {
        connected("logout");
        if (!user.isEmpty()) {
            gateway.bind(task.connection(), "");
            user = "";
        }
    }

    private void connected(String what) {
        if (!open) {
            throw new IllegalStateException("cmd " + task.cmd() + ": " + what + " after the handler returned");
        }
        if (task.connection() == 0) {
            throw new IllegalStateException("cmd " + task.cmd() + ": " + what + " needs a connection (Box over TCP "
                    + "or WebSocket); this request came over HTTP, which has none");
        }
    }

    @Override
    public synchronized boolean answered() {
        return replied;
    }

    @Override
    public synchronized void reply(int ret, byte[] body) {
        Objects.requireNonNull(body, "body");
        if (!open) {
            throw new IllegalStateException("cmd " + task.cmd() + ": reply after the handler returned");
        }
        if (replied) {
            throw new IllegalStateException("cmd " + task.cmd() + ": the request was already answered");
        }
        replied = true;
        this.ret = ret;
        this.reply = body;
    }

    /** Called when the handler returned (or was skipped): later replies are refused. */
    synchronized void close() {
        open = false;
    }

    synchronized int ret() {
        return ret;
    }

    synchronized byte[] replyBody() {
        return reply;
    }
}
