package dev.burst.container.proxy.ws;

import dev.burst.container.protocol.BoxHeader;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One binary WebSocket message carries exactly one Box frame. This checks a message as the Box listener
 * checks a frame (magic, packet_len from 24 to {@code burst.box.max-packet}), and that the frame fills
 * the message exactly. Socket-free, so it is tested on its own; called on a connection's reader thread.
 */
final class BoxMessage {

    /** WebSocket close codes (RFC 6455, 7.4.1) for a message refused. */
    static final int PROTOCOL_ERROR = 1002;
    static final int UNSUPPORTED_DATA = 1003;
    static final int TOO_BIG = 1009;

    /** A message that cannot be served: the connection closes with the code. */
    static final class BadMessage extends Exception {
        final WsStats.Close cause;
        final int code;

        BadMessage(WsStats.Close cause, int code, String message) {
            super(message);
            this.cause = cause;
            this.code = code;
        }
    }

    private BoxMessage() {
    }

    /**
     * @param head          the message's first bytes: 24, or all of it when it is shorter
     * @param messageLength the whole message's length
     * @param maxPacket     the largest packet_len accepted (burst.box.max-packet)
     * @return the frame's header, checked
     * @throws BadMessage what is wrong with it, with the close code to send
     */
    static BoxHeader check(ByteBuffer head, int messageLength, int maxPacket) throws BadMessage {
        if (messageLength > maxPacket) {
            throw tooBig(messageLength, maxPacket);
        }
        if (messageLength < BoxHeader.SIZE) {
            throw new BadMessage(WsStats.Close.BAD_FRAME, PROTOCOL_ERROR, "a message of " + messageLength
                    + " bytes is shorter than a Box header (" + BoxHeader.SIZE + " bytes)");
        }
        int magic = BoxHeader.magicOf(head);
        if (magic != BoxHeader.MAGIC) {
            throw new BadMessage(WsStats.Close.BAD_FRAME, PROTOCOL_ERROR, String.format("bad magic 0x%08X", magic));
        }
        BoxHeader h = BoxHeader.decode(head);
        Optional<String> problem = h.check(maxPacket);
        if (problem.isPresent()) {
            boolean over = h.packetLen() > maxPacket;
            throw new BadMessage(over ? WsStats.Close.TOO_BIG : WsStats.Close.BAD_FRAME,
                    over ? TOO_BIG : PROTOCOL_ERROR, problem.get());
        }
        if (h.packetLen() != messageLength) {
            throw new BadMessage(WsStats.Close.BAD_FRAME, PROTOCOL_ERROR, "packet_len " + h.packetLen()
                    + " is not the message's " + messageLength + " bytes (one message carries one Box frame)");
        }
        return h;
    }

    /** A message that has grown past the largest frame. */
    static BadMessage tooBig(long messageLength, int maxPacket) {
        return new BadMessage(WsStats.Close.TOO_BIG, TOO_BIG, "a message of " + messageLength
                + " bytes is over burst.box.max-packet " + maxPacket);
    }

    /** A text message: not served. */
    static BadMessage text() {
        return new BadMessage(WsStats.Close.TEXT_MESSAGE, UNSUPPORTED_DATA,
                "a text message (binary messages only, one Box frame each)");
    }
}
