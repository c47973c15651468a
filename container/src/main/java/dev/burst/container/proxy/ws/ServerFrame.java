package dev.burst.container.proxy.ws;

import java.nio.ByteBuffer;

/**
 * Encodes the data frames the server sends (RFC 6455, 5.2): FIN set, one opcode, the payload length in
 * 7, 16 or 64 bits, no mask (a server never masks). A connection's writer writes these bytes itself
 * rather than through Helidon's {@code WsSession.send}, which in Helidon 4.2 fills one send buffer per
 * connection without a lock, and which Helidon's own reader thread also uses to answer a close: encoded
 * apart, a frame is one array that one socket write takes whole. Socket-free; any thread.
 */
final class ServerFrame {

    private static final int FIN = 0x80;
    private static final int BINARY = 0x2;
    private static final int PONG = 0xA;

    private ServerFrame() {
    }

    /**
     * @param header a Box header (24 bytes remaining)
     * @param body   its body
     * @return one binary frame carrying header and body; the buffers are consumed
     */
    static byte[] binary(ByteBuffer header, ByteBuffer body) {
        int length = header.remaining() + body.remaining();
        ByteBuffer frame = start(BINARY, length);
        frame.put(header).put(body);
        return frame.array();
    }

    /**
     * @param payload a ping's payload (at most 125 bytes, as the client's control frame had)
     * @return the pong that answers it
     */
    static byte[] pong(byte[] payload) {
        return start(PONG, payload.length).put(payload).array();
    }

    /** @return a buffer for the whole frame, positioned after its header */
    private static ByteBuffer start(int opcode, int length) {
        int headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(headerLength + length);
        frame.put((byte) (FIN | opcode));
        if (length < 126) {
            frame.put((byte) length);
        } else if (length < 65536) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        return frame;
    }
}
