package dev.burst.container.proxy.ws;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * A Helidon connection context with another reader and writer over the same socket: how the HTTP gate
 * hands Helidon's HTTP/1.1 connection the bytes it already read (and HTTP/1.0 its translation), and how a
 * WebSocket connection's reader pulls its bytes through the connection's {@link FrameWatch}
 * ({@link #watched}).
 *
 * <p>Threads: the connection's own.
 */
public final class ContextView implements ConnectionContext {

    private final ConnectionContext ctx;
    private final DataReader reader;
    private final DataWriter writer;

    /**
     * @param ctx    the connection's context
     * @param reader what its reader is now
     * @param writer what its writer is now
     */
    public ContextView(ConnectionContext ctx, DataReader reader, DataWriter writer) {
        this.ctx = ctx;
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * The upgraded WebSocket connection's context as Helidon's reader sees it: each chunk pulled from the
     * socket is shown to the connection first ({@link WsConnection#pulled}), so unfinished messages are
     * timed and charged.
     */
    static ContextView watched(ConnectionContext ctx, WsConnection connection) {
        DataReader socket = ctx.dataReader();
        return new ContextView(ctx, new DataReader(() -> {
            socket.ensureAvailable(); // blocks for the socket; at its end throws, and Helidon ends the connection
            byte[] chunk = socket.readBytes(socket.available());
            connection.pulled(chunk);
            return chunk;
        }), ctx.dataWriter());
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
