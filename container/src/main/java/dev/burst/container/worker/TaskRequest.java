package dev.burst.container.worker;

import dev.burst.api.Request;
import dev.burst.container.protocol.WireMessage.Task;
import java.util.Objects;

/**
 * A task as its handler sees it. Lives on the task thread; answered at most once, and only while the
 * handler runs.
 */
final class TaskRequest implements Request {

    private final Task task;
    private boolean open = true;
    private boolean replied;
    private int ret;
    private byte[] reply;

    TaskRequest(Task task) {
        this.task = task;
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
        return task.body();
    }

    @Override
    public String clientAddress() {
        return task.client();
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

    /** Called when the handler returned: later replies are refused. */
    synchronized void close() {
        open = false;
    }

    synchronized boolean replied() {
        return replied;
    }

    synchronized int ret() {
        return ret;
    }

    synchronized byte[] replyBody() {
        return reply;
    }
}
