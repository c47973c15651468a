package dev.burst.container.proxy;

import dev.burst.container.process.SpawnSecrets;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.GroupSize;
import dev.burst.container.protocol.WireMessage.Operation;
import dev.burst.container.protocol.WireMessage.ProxyHello;
import dev.burst.container.protocol.WireMessage.Reload;
import dev.burst.container.protocol.WireMessage.Retire;
import dev.burst.container.protocol.WireMessage.Shutdown;
import dev.burst.container.protocol.WireMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The proxy's end of the master's control socket ({@code run/control.sock}). The first frame proves
 * that the master spawned this proxy (PROXY_HELLO with the per-spawn secret from the environment).
 *
 * <p>Threads: frames from the master are read on the link's own virtual thread and handed to the
 * {@link Handler}, which must only enqueue or record; frames to the master are sent from any thread,
 * one at a time.
 */
final class ControlLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlLink.class.getName());

    /** What the master says; called on the link's reader thread. */
    interface Handler {
        /** SHUTDOWN: stop, fast or graceful. */
        void shutdown(boolean fast);

        /** RELOAD: run reload_workers as this operation. */
        void reload(long operation);

        /** RETIRE: drain the worker with this pid. */
        void retire(long pid);

        /** OPERATION: the master's record of an operation changed. */
        void operation(Operation operation);

        /** GROUP_HEALTH: a group became degraded, or healthy again. */
        void groupHealth(GroupHealth health);

        /** GROUP_SIZE: a group's target size (change_group, TTIN/TTOU, and once per group at the hello). */
        void groupSize(GroupSize size);

        /** The link broke while the proxy still held it open. */
        void lost(String why);
    }

    private final SocketChannel channel;
    private final OutputStream out;

    private ControlLink(SocketChannel channel) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects and introduces this proxy.
     *
     * @param socket  the master's control socket
     * @param handler receives the master's frames
     * @return the open link
     * @throws IOException when the socket cannot be reached (the message names it)
     */
    static ControlLink connect(Path socket, Handler handler) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot reach the master's control socket " + socket + ": " + e.getMessage(), e);
        }
        ControlLink link = new ControlLink(ch);
        link.send(new ProxyHello(ProcessHandle.current().pid(), SpawnSecrets.own()));
        Thread.ofVirtual().name("control-read").start(() -> link.read(handler));
        return link;
    }

    private void read(Handler handler) {
        try {
            DataInputStream in = WireCodec.input(Channels.newInputStream(channel));
            while (true) {
                switch (WireCodec.read(in)) {
                    case Shutdown s -> handler.shutdown(s.fast());
                    case Reload r -> handler.reload(r.operation());
                    case Retire r -> handler.retire(r.pid());
                    case Operation o -> handler.operation(o);
                    case GroupHealth h -> handler.groupHealth(h);
                    case GroupSize g -> handler.groupSize(g);
                    case WireMessage other -> LOG.log(System.Logger.Level.WARNING, "unexpected "
                            + other.getClass().getSimpleName() + " from the master");
                }
            }
        } catch (IOException e) {
            if (channel.isOpen()) {
                handler.lost("lost the master: " + e.getMessage());
            }
        }
    }

    /**
     * Sends a frame to the master.
     *
     * @param m the frame
     * @throws IOException when the master is gone
     */
    synchronized void send(WireMessage m) throws IOException {
        WireCodec.write(out, m);
    }

    /** Sends from any thread; a lost master shows up through {@link Handler#lost}. */
    void sendQuietly(WireMessage m) {
        try {
            send(m);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot tell the master " + m.getClass().getSimpleName()
                    + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
