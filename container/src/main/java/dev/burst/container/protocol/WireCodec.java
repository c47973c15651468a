package dev.burst.container.protocol;

import dev.burst.container.protocol.WireMessage.AdminCommand;
import dev.burst.container.protocol.WireMessage.Bind;
import dev.burst.container.protocol.WireMessage.BootFailed;
import dev.burst.container.protocol.WireMessage.CmdInfo;
import dev.burst.container.protocol.WireMessage.Detail;
import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.GroupSize;
import dev.burst.container.protocol.WireMessage.Hello;
import dev.burst.container.protocol.WireMessage.Leaked;
import dev.burst.container.protocol.WireMessage.Listening;
import dev.burst.container.protocol.WireMessage.Load;
import dev.burst.container.protocol.WireMessage.LoadFailed;
import dev.burst.container.protocol.WireMessage.LongTick;
import dev.burst.container.protocol.WireMessage.LongTickDone;
import dev.burst.container.protocol.WireMessage.Operation;
import dev.burst.container.protocol.WireMessage.PluginFiles;
import dev.burst.container.protocol.WireMessage.ProxyHello;
import dev.burst.container.protocol.WireMessage.ProxyUp;
import dev.burst.container.protocol.WireMessage.Push;
import dev.burst.container.protocol.WireMessage.PushKind;
import dev.burst.container.protocol.WireMessage.Pushed;
import dev.burst.container.protocol.WireMessage.Ready;
import dev.burst.container.protocol.WireMessage.Recycle;
import dev.burst.container.protocol.WireMessage.Reload;
import dev.burst.container.protocol.WireMessage.Reloaded;
import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Retire;
import dev.burst.container.protocol.WireMessage.Shutdown;
import dev.burst.container.protocol.WireMessage.Status;
import dev.burst.container.protocol.WireMessage.Stop;
import dev.burst.container.protocol.WireMessage.Stuck;
import dev.burst.container.protocol.WireMessage.Task;
import dev.burst.container.protocol.WireMessage.TimerCount;
import dev.burst.container.protocol.WireMessage.TimerReport;
import dev.burst.container.protocol.WireMessage.WorkerReady;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link WireMessage} frames. Stateless; callers serialize writes to one stream.
 */
public final class WireCodec {

    /** Largest frame accepted (type + payload). */
    public static final int MAX_FRAME = 64 << 20;

    private static final int HELLO = 1;
    private static final int LOAD = 2;
    private static final int READY = 3;
    private static final int LOAD_FAILED = 4;
    private static final int TASK = 5;
    private static final int RESULT = 6;
    private static final int STOP = 7;
    private static final int LEAKED = 8;
    private static final int PROXY_UP = 20;
    private static final int LISTENING = 21;
    private static final int SHUTDOWN = 22;
    private static final int WORKER_READY = 23;
    private static final int RECYCLE = 24;
    private static final int STUCK = 25;
    private static final int RELOAD = 26;
    private static final int RELOADED = 27;
    private static final int RETIRE = 28;
    private static final int ADMIN_COMMAND = 29;
    private static final int PROXY_HELLO = 30;
    private static final int OPERATION = 31;
    private static final int BOOT_FAILED = 32;
    private static final int GROUP_HEALTH = 33;
    private static final int GROUP_SIZE = 34;
    private static final int BIND = 9;
    private static final int PUSH = 10;
    private static final int PUSHED = 11;
    private static final int TIMER_REPORT = 12;
    private static final int LONG_TICK = 13;
    private static final int LONG_TICK_DONE = 14;

    private WireCodec() {
    }

    /**
     * Reads one frame.
     *
     * @param in a buffered stream
     * @return the message
     * @throws EOFException      when the peer closed the stream between frames or inside one
     * @throws ProtocolException when the frame is malformed
     * @throws IOException       on a read failure
     */
    public static WireMessage read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > MAX_FRAME) {
            throw new ProtocolException("frame length " + length + " out of range 1.." + MAX_FRAME);
        }
        byte[] frame = in.readNBytes(length);
        if (frame.length < length) {
            throw new EOFException("stream closed inside a frame");
        }
        try {
            return decode(ByteBuffer.wrap(frame));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolException("malformed frame of type " + (frame[0] & 0xff) + ": " + e);
        }
    }

    /**
     * Takes the next whole frame out of a buffer that a reader fills itself (a non-blocking channel):
     * the bytes from its position to its limit. On success the position moves past the frame; with only
     * part of a frame there, nothing moves.
     *
     * @param in the bytes read so far, in read mode
     * @return the frame, or null when the buffer holds no whole frame yet (see {@link #pendingLength})
     * @throws ProtocolException when the frame is malformed or its length out of range
     */
    public static WireMessage next(ByteBuffer in) throws ProtocolException {
        int length = pendingLength(in);
        if (length < 0 || in.remaining() < 4 + length) {
            return null;
        }
        int start = in.position() + 4;
        ByteBuffer frame = in.slice(start, length);
        in.position(start + length);
        try {
            return decode(frame);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolException("malformed frame of type " + (in.get(start) & 0xff) + ": " + e);
        }
    }

    /**
     * @param in the bytes read so far, in read mode
     * @return the length (after the length field) of the frame that starts at the buffer's position; -1
     *         while fewer than four bytes are there
     * @throws ProtocolException when that length is out of range
     */
    public static int pendingLength(ByteBuffer in) throws ProtocolException {
        if (in.remaining() < 4) {
            return -1;
        }
        int length = in.getInt(in.position());
        if (length < 1 || length > MAX_FRAME) {
            throw new ProtocolException("frame length " + length + " out of range 1.." + MAX_FRAME);
        }
        return length;
    }

    private static WireMessage decode(ByteBuffer b) {
        int type = b.get() & 0xff;
        return switch (type) {
            case HELLO -> new Hello(str(b), b.getInt(), b.getLong(), str(b));
            case LOAD -> {
                int generation = b.getInt();
                int n = count(b);
                List<PluginFiles> plugins = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = str(b);
                    int files = count(b);
                    List<String> paths = new ArrayList<>(files);
                    for (int f = 0; f < files; f++) {
                        paths.add(str(b));
                    }
                    plugins.add(new PluginFiles(name, List.copyOf(paths)));
                }
                yield new Load(generation, List.copyOf(plugins));
            }
            case READY -> {
                int generation = b.getInt();
                int n = count(b);
                List<CmdInfo> cmds = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    cmds.add(new CmdInfo(b.getInt(), str(b), (b.get() & 1) != 0));
                }
                yield new Ready(generation, List.copyOf(cmds));
            }
            case LOAD_FAILED -> new LoadFailed(b.getInt(), str(b));
            case TASK -> new Task(b.getLong(), b.getInt(), b.getInt(), str(b), b.getLong(), str(b), str(b), bytes(b));
            case BIND -> new Bind(b.getLong(), str(b));
            case PUSH -> new Push(b.getLong(), pushKind(b.get()), strings(b), b.getInt(), bytes(b));
            case PUSHED -> new Pushed(b.getLong(), b.getInt(), b.getInt(), b.getInt(), strings(b));
            case TIMER_REPORT -> {
                int generation = b.getInt();
                int n = count(b);
                List<TimerCount> plugins = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    plugins.add(new TimerCount(str(b), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong()));
                }
                yield new TimerReport(generation, List.copyOf(plugins));
            }
            case LONG_TICK -> new LongTick(b.getInt(), str(b), str(b), b.getLong());
            case LONG_TICK_DONE -> new LongTickDone(b.getLong());
            case RESULT -> new Result(b.getLong(), status(b.get()), b.getInt(), bytes(b));
            case STOP -> new Stop();
            case LEAKED -> new Leaked(b.getInt(), str(b));
            case PROXY_UP -> new ProxyUp();
            case LISTENING -> new Listening(b.getInt(), b.getInt());
            case SHUTDOWN -> new Shutdown(b.get() != 0);
            case WORKER_READY -> new WorkerReady(str(b), b.getInt(), b.getLong(), b.getInt());
            case RECYCLE -> new Recycle(b.getLong(), str(b));
            case STUCK -> new Stuck(b.getLong(), str(b));
            case RELOAD -> new Reload(b.getLong());
            case RELOADED -> new Reloaded(b.getLong(), b.get() != 0, b.getInt(), b.getInt(), str(b), details(b));
            case RETIRE -> new Retire(b.getLong());
            case ADMIN_COMMAND -> new AdminCommand(b.getLong(), str(b), str(b), b.getInt());
            case PROXY_HELLO -> new ProxyHello(b.getLong(), str(b));
            case OPERATION -> new Operation(b.getLong(), str(b), str(b), str(b), b.getLong(), b.getLong(), str(b),
                    b.getLong(), details(b));
            case BOOT_FAILED -> new BootFailed(str(b), b.getInt(), b.getLong(), b.getInt(), str(b));
            case GROUP_HEALTH -> new GroupHealth(str(b), b.get() != 0, str(b));
            case GROUP_SIZE -> new GroupSize(str(b), b.getInt());
            default -> throw new IllegalArgumentException("unknown frame type " + type);
        };
    }

    /**
     * Writes one frame and flushes.
     *
     * @param out     the stream
     * @param message the message
     * @throws IOException on a write failure
     */
    public static void write(OutputStream out, WireMessage message) throws IOException {
        out.write(encode(message));
        out.flush();
    }

    /**
     * Encodes one frame, length prefix included.
     *
     * @param message the message
     * @return the frame's bytes
     */
    public static byte[] encode(WireMessage message) {
        Writer w = new Writer();
        switch (message) {
            case Hello h -> w.type(HELLO).str(h.group()).i32(h.slot()).i64(h.pid()).str(h.secret());
            case Load l -> {
                w.type(LOAD).i32(l.generation()).i32(l.plugins().size());
                for (PluginFiles p : l.plugins()) {
                    w.str(p.name()).i32(p.files().size());
                    p.files().forEach(w::str);
                }
            }
            case Ready r -> {
                w.type(READY).i32(r.generation()).i32(r.cmds().size());
                for (CmdInfo c : r.cmds()) {
                    w.i32(c.id()).str(c.name()).u8(c.idempotent() ? 1 : 0);
                }
            }
            case LoadFailed f -> w.type(LOAD_FAILED).i32(f.generation()).str(f.reason());
            case Task t -> w.type(TASK).i64(t.taskId()).i32(t.cmd()).i32(t.sn()).str(t.client()).i64(t.connection())
                    .str(t.user()).str(t.key()).bytes(t.body());
            case Bind bind -> w.type(BIND).i64(bind.connection()).str(bind.user());
            case Push p -> w.type(PUSH).i64(p.pushId()).u8(p.kind().code()).strings(p.users()).i32(p.cmd())
                    .bytes(p.body());
            case TimerReport r -> {
                w.type(TIMER_REPORT).i32(r.generation()).i32(r.plugins().size());
                for (TimerCount c : r.plugins()) {
                    w.str(c.plugin()).i64(c.runs()).i64(c.failures()).i64(c.skipped()).i64(c.lateP99Micros())
                            .i64(c.lateMaxMicros());
                }
            }
            case LongTick t -> w.type(LONG_TICK).i32(t.generation()).str(t.plugin()).str(t.timer())
                    .i64(t.runningMillis());
            case LongTickDone d -> w.type(LONG_TICK_DONE).i64(d.runningMillis());
            case Pushed p -> w.type(PUSHED).i64(p.pushId()).i32(p.delivered()).i32(p.offline()).i32(p.dropped())
                    .strings(p.offlineUsers());
            case Result r -> w.type(RESULT).i64(r.taskId()).u8(r.status().code()).i32(r.ret()).bytes(r.body());
            case Stop s -> w.type(STOP);
            case Leaked l -> w.type(LEAKED).i32(l.generation()).str(l.detail());
            case ProxyUp p -> w.type(PROXY_UP);
            case Listening l -> w.type(LISTENING).i32(l.httpPort()).i32(l.boxPort());
            case Shutdown s -> w.type(SHUTDOWN).u8(s.fast() ? 1 : 0);
            case WorkerReady r -> w.type(WORKER_READY).str(r.group()).i32(r.slot()).i64(r.pid()).i32(r.generation());
            case Recycle r -> w.type(RECYCLE).i64(r.pid()).str(r.reason());
            case Stuck s -> w.type(STUCK).i64(s.pid()).str(s.detail());
            case Reload r -> w.type(RELOAD).i64(r.operation());
            case Reloaded r -> w.type(RELOADED).i64(r.operation()).u8(r.ok() ? 1 : 0).i32(r.tried()).i32(r.serving())
                    .str(r.summary()).details(r.details());
            case Retire r -> w.type(RETIRE).i64(r.pid());
            case AdminCommand c -> w.type(ADMIN_COMMAND).i64(c.request()).str(c.operation()).str(c.group())
                    .i32(c.workers());
            case ProxyHello h -> w.type(PROXY_HELLO).i64(h.pid()).str(h.secret());
            case Operation o -> w.type(OPERATION).i64(o.id()).str(o.kind()).str(o.trigger()).str(o.state())
                    .i64(o.startedMillis()).i64(o.finishedMillis()).str(o.outcome()).i64(o.request())
                    .details(o.details());
            case BootFailed f -> w.type(BOOT_FAILED).str(f.group()).i32(f.slot()).i64(f.pid()).i32(f.generation())
                    .str(f.reason());
            case GroupHealth h -> w.type(GROUP_HEALTH).str(h.group()).u8(h.degraded() ? 1 : 0).str(h.reason());
            case GroupSize g -> w.type(GROUP_SIZE).str(g.group()).i32(g.workers());
        }
        return w.finish();
    }

    /**
     * Wraps a raw stream for {@link #read(DataInputStream)}.
     *
     * @param in the raw stream
     * @return a buffered data stream
     */
    public static DataInputStream input(InputStream in) {
        return new DataInputStream(new java.io.BufferedInputStream(in, 64 * 1024));
    }

    private static Status status(byte b) {
        for (Status s : Status.values()) {
            if (s.code() == b) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown result status " + b);
    }

    private static PushKind pushKind(byte b) {
        for (PushKind k : PushKind.values()) {
            if (k.code() == b) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown push kind " + b);
    }

    private static List<String> strings(ByteBuffer b) {
        int n = count(b);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(str(b));
        }
        return List.copyOf(out);
    }

    private static List<Detail> details(ByteBuffer b) {
        int n = count(b);
        List<Detail> details = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            details.add(new Detail(str(b), str(b)));
        }
        return List.copyOf(details);
    }

    private static int count(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("count " + n + " exceeds the frame");
        }
        return n;
    }

    private static String str(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] s = new byte[count(b)];
        b.get(s);
        return s;
    }

    /** Grows a frame; the first four bytes are the length, filled in by {@link #finish()}. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(256).position(4);

        Writer type(int t) {
            return u8(t);
        }

        Writer u8(int v) {
            room(1).put((byte) v);
            return this;
        }

        Writer i32(int v) {
            room(4).putInt(v);
            return this;
        }

        Writer i64(long v) {
            room(8).putLong(v);
            return this;
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("string of " + b.length + " bytes is too long for a frame");
            }
            room(2 + b.length).putShort((short) b.length).put(b);
            return this;
        }

        Writer strings(List<String> list) {
            i32(list.size());
            list.forEach(this::str);
            return this;
        }

        Writer details(List<Detail> details) {
            i32(details.size());
            details.forEach(d -> str(d.subject()).str(d.outcome()));
            return this;
        }

        Writer bytes(byte[] b) {
            room(4 + b.length).putInt(b.length).put(b);
            return this;
        }

        private ByteBuffer room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return buf;
        }

        byte[] finish() {
            int end = buf.position();
            buf.putInt(0, end - 4);
            byte[] out = buf.array();
            return end == out.length ? out : java.util.Arrays.copyOf(out, end);
        }
    }
}
