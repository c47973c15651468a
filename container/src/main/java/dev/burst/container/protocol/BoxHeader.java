package dev.burst.container.protocol;

import java.nio.ByteBuffer;

/**
 * The 24-byte header of a netkit Box frame; layout in {@link dev.burst.container.protocol}.
 *
 * @param version   protocol version, copied into replies
 * @param flag      client flags, copied into replies
 * @param packetLen header plus body length
 * @param cmd       command id
 * @param ret       result code (0 in requests)
 * @param sn        client sequence number
 */
public record BoxHeader(short version, short flag, int packetLen, int cmd, int ret, int sn) {

    /** The magic every Box frame starts with. */
    public static final int MAGIC = 2037952207;
    /** Header size in bytes. */
    public static final int SIZE = 24;

    /**
     * Decodes the fields after the magic (read that with {@link #magicOf(byte[])}); the packet length
     * is checked by {@link #check(int)}.
     *
     * @param b 24 bytes
     * @return the header
     */
    public static BoxHeader decode(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b, 0, SIZE);
        buf.getInt();
        return new BoxHeader(buf.getShort(), buf.getShort(), buf.getInt(), buf.getInt(), buf.getInt(), buf.getInt());
    }

    /**
     * Decodes a header from a buffer, at its position, without moving it.
     *
     * @param b at least 24 bytes remaining
     * @return the header (its magic is checked apart: {@link #magicOf(ByteBuffer)})
     */
    public static BoxHeader decode(ByteBuffer b) {
        int p = b.position();
        return new BoxHeader(b.getShort(p + 4), b.getShort(p + 6), b.getInt(p + 8), b.getInt(p + 12), b.getInt(p + 16),
                b.getInt(p + 20));
    }

    /**
     * @param b a buffer positioned at a header
     * @return its magic field
     */
    public static int magicOf(ByteBuffer b) {
        return b.getInt(b.position());
    }

    /**
     * Encodes a reply's header: this header's version, flag, cmd and sn, with the given ret, for a body
     * of the given length that is written after it.
     *
     * @param ret        result code
     * @param bodyLength the reply payload's length
     * @return 24 bytes, ready to write
     */
    public ByteBuffer replyHeader(int ret, int bodyLength) {
        return ByteBuffer.allocate(SIZE).putInt(MAGIC).putShort(version).putShort(flag).putInt(SIZE + bodyLength)
                .putInt(cmd).putInt(ret).putInt(sn).flip();
    }

    /** The version field of frames burst sends on its own (pushes): netkit's Box version 1. */
    public static final short PUSH_VERSION = 1;

    /**
     * Encodes the header of a frame nobody asked for (a push): version 1, flag 0, sn 0.
     *
     * @param cmd        the frame's cmd
     * @param ret        its ret
     * @param bodyLength the payload's length
     * @return 24 bytes, ready to write; share it with {@link ByteBuffer#duplicate()}
     */
    public static ByteBuffer pushHeader(int cmd, int ret, int bodyLength) {
        return ByteBuffer.allocate(SIZE).putInt(MAGIC).putShort(PUSH_VERSION).putShort((short) 0)
                .putInt(SIZE + bodyLength).putInt(cmd).putInt(ret).putInt(0).flip();
    }

    /**
     * @param b a header's bytes
     * @return its magic field
     */
    public static int magicOf(byte[] b) {
        return ByteBuffer.wrap(b, 0, 4).getInt();
    }

    /**
     * Checks the packet length of a request header.
     *
     * @param maxPacket the largest packet_len allowed
     * @return empty if acceptable, else why not
     */
    public java.util.Optional<String> check(int maxPacket) {
        if (packetLen < SIZE) {
            return java.util.Optional.of("packet_len " + packetLen + " is below the header size " + SIZE);
        }
        if (packetLen > maxPacket) {
            return java.util.Optional.of("packet_len " + packetLen + " is over burst.box.max-packet " + maxPacket);
        }
        return java.util.Optional.empty();
    }

    /** @return body length */
    public int bodyLength() {
        return packetLen - SIZE;
    }

    /**
     * Encodes a whole reply frame: this header's version, flag, cmd and sn, the given ret and body.
     *
     * @param ret  result code
     * @param body reply payload
     * @return header and body
     */
    public byte[] encodeReply(int ret, byte[] body) {
        return encode(version, flag, cmd, ret, sn, body);
    }

    /**
     * Encodes a whole frame.
     *
     * @param version version field
     * @param flag    flag field
     * @param cmd     cmd field
     * @param ret     ret field
     * @param sn      sn field
     * @param body    payload
     * @return the frame's bytes
     */
    public static byte[] encode(short version, short flag, int cmd, int ret, int sn, byte[] body) {
        ByteBuffer buf = ByteBuffer.allocate(SIZE + body.length);
        buf.putInt(MAGIC).putShort(version).putShort(flag).putInt(SIZE + body.length)
                .putInt(cmd).putInt(ret).putInt(sn).put(body);
        return buf.array();
    }
}
