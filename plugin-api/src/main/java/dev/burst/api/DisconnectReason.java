package dev.burst.api;

/** Why a connection with a logged-in user closed. Constants may be added in later versions. */
public enum DisconnectReason {
    /** The client closed it, or the network lost it. */
    CLIENT_CLOSED,
    /** The same user logged in on another connection, and the policy keeps only the newest. */
    KICKED,
    /** A push closed it ({@link Push#closeUsers}, or the admin API). */
    CLOSED_BY_PUSH,
    /** The client did not read what was sent to it, past {@code burst.connection.max-outbound}. */
    SLOW_CONSUMER,
    /** The client broke the protocol (a bad frame) or took too long to send one. */
    PROTOCOL_ERROR,
    /** burst is stopping. */
    SERVER_STOPPING
}
