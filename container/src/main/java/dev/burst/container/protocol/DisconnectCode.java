package dev.burst.container.protocol;

import dev.burst.api.DisconnectReason;

/** The byte a disconnect event carries for its reason: explicit codes, never the enum's position. */
public final class DisconnectCode {

    private DisconnectCode() {
    }

    /**
     * @param reason a reason
     * @return its code
     */
    public static byte of(DisconnectReason reason) {
        return switch (reason) {
            case CLIENT_CLOSED -> 0;
            case KICKED -> 1;
            case CLOSED_BY_PUSH -> 2;
            case SLOW_CONSUMER -> 3;
            case PROTOCOL_ERROR -> 4;
            case SERVER_STOPPING -> 5;
        };
    }

    /**
     * @param code a code
     * @return its reason; an unknown code (a newer proxy) reads as {@link DisconnectReason#CLIENT_CLOSED}
     */
    public static DisconnectReason reason(byte code) {
        return switch (code) {
            case 1 -> DisconnectReason.KICKED;
            case 2 -> DisconnectReason.CLOSED_BY_PUSH;
            case 3 -> DisconnectReason.SLOW_CONSUMER;
            case 4 -> DisconnectReason.PROTOCOL_ERROR;
            case 5 -> DisconnectReason.SERVER_STOPPING;
            default -> DisconnectReason.CLIENT_CLOSED;
        };
    }
}
