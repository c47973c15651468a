package dev.burst.api;

/**
 * A connection that had a logged-in user closed. burst implements this interface; methods may be added.
 */
public interface Disconnect {

    /** @return the user the connection was bound to */
    String user();

    /** @return why it closed */
    DisconnectReason reason();

    /** @return the client's address as {@code host:port} */
    String clientAddress();
}
