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
 * The upgraded connection's context as Helidon's WebSocket reader sees it: the same, except that its
 * bytes come through a reader that shows each chunk pulled from the socket to the connection's
 * {@link FrameWatch} first ({@link WsConnection#pulled}), so unfinished messages are timed and charged.
 *
 * <p>Threads: the connection's reader thread.
 */
final class WatchedContext implements ConnectionContext {

    private final ConnectionContext ctx;
    private final DataReader reader;

    WatchedContext(ConnectionContext ctx, WsConnection connection) {
        this.ctx = ctx;
        DataReader socket = ctx.dataReader();
        this.reader = new DataReader(() -> {
            socket.ensureAvailable(); // blocks for the socket; at its end throws, and Helidon ends the connection
            byte[] chunk = socket.readBytes(socket.available());
            connection.pulled(chunk);
            return chunk;
        });
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return ctx.dataWriter();
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
