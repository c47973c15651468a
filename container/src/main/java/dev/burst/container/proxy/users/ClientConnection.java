package dev.burst.container.proxy.users;

import dev.burst.api.DisconnectReason;
import java.nio.ByteBuffer;

/**
 * A client connection that users can be bound to and frames pushed to: Box over TCP, or WebSocket.
 * Implementations never block the caller: a frame is written at once or queued, bounded by
 * {@code burst.connection.max-outbound}, past which the connection closes itself as a slow consumer.
 */
public interface ClientConnection {

    /** What became of a frame handed to {@link #push}. */
    enum Sent {
        /** written, or queued behind what is being written */
        QUEUED,
        /** the connection was closed already */
        CLOSED,
        /** the connection is closed now, as a slow consumer, instead */
        SLOW
    }

    /** @return the proxy's id of the connection, unique in the proxy's life */
    long id();

    /** @return {@code box} or {@code ws} */
    String protocol();

    /** @return the client's address, {@code host:port} */
    String clientAddress();

    /** @return when it was accepted, epoch milliseconds */
    long sinceMillis();

    /**
     * Writes or queues one frame. Any thread; never blocks.
     *
     * @param header the frame's 24-byte header
     * @param body   its payload
     * @return what became of it
     */
    Sent push(ByteBuffer header, ByteBuffer body);

    /**
     * Closes the connection once what is queued is written. Any thread.
     *
     * @param reason why, for the disconnect handlers and the log
     */
    void closeAfterWrites(DisconnectReason reason);
}
