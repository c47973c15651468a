package dev.burst.container.proxy.box;

import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts one connection's inbound bytes into Box frames. Socket-free, so it is tested on its own.
 *
 * <p>It holds bytes only while a frame is unfinished: a split header (24 bytes at most), the part of a
 * body received so far (grown as bytes arrive, so a header that claims a megabyte costs the proxy
 * nothing until the megabyte comes), and the input left unparsed when the sink said stop (the
 * connection's in-flight cap). {@link #held()} is what the connection charges to the inbound budget.
 * An idle connection between frames holds nothing.
 *
 * <p>Runs on the connection's I/O loop thread only.
 */
final class FrameAssembler {

    /** Receives each complete frame. */
    interface Sink {
        /**
         * @param header the frame's header (checked)
         * @param body   its body, exactly {@code header.bodyLength()} bytes
         * @return whether to go on cutting frames from the input now; false stashes the rest
         */
        boolean frame(BoxHeader header, byte[] body);
    }

    private static final byte[] EMPTY = new byte[0];
    private static final int FIRST_CHUNK = 4096;

    private final int maxPacket;
    private byte[] header;
    private int headerFill;
    private BoxHeader pending;
    private byte[] body;
    private int bodyFill;
    private byte[] stash;

    /** @param maxPacket the largest packet_len accepted (burst.box.max-packet) */
    FrameAssembler(int maxPacket) {
        this.maxPacket = maxPacket;
    }

    /**
     * Consumes the input: complete frames go to the sink; an unfinished one is kept.
     *
     * @return true when every byte was consumed; false when the sink said stop (the rest is stashed
     *         and comes out of {@link #resume})
     * @throws ProtocolException on a bad magic or a packet_len out of range: the connection must close
     */
    boolean feed(ByteBuffer in, Sink sink) throws ProtocolException {
        while (in.hasRemaining()) {
            if (pending == null) {
                BoxHeader h;
                if (headerFill == 0 && in.remaining() >= BoxHeader.SIZE) {
                    check(BoxHeader.magicOf(in));
                    h = BoxHeader.decode(in);
                    in.position(in.position() + BoxHeader.SIZE);
                } else {
                    if (header == null) {
                        header = new byte[BoxHeader.SIZE];
                    }
                    int n = Math.min(BoxHeader.SIZE - headerFill, in.remaining());
                    in.get(header, headerFill, n);
                    headerFill += n;
                    if (headerFill < BoxHeader.SIZE) {
                        return true;
                    }
                    check(BoxHeader.magicOf(header));
                    h = BoxHeader.decode(header);
                    header = null;
                    headerFill = 0;
                }
                var problem = h.check(maxPacket);
                if (problem.isPresent()) {
                    throw new ProtocolException(problem.get());
                }
                pending = h;
                bodyFill = 0;
            }
            int length = pending.bodyLength();
            byte[] complete = null;
            if (length == 0) {
                complete = EMPTY;
            } else if (body == null && in.remaining() >= length) {
                complete = new byte[length];
                in.get(complete);
            } else {
                int n = Math.min(length - bodyFill, in.remaining());
                grow(bodyFill + n, length);
                in.get(body, bodyFill, n);
                bodyFill += n;
                if (bodyFill < length) {
                    return true;
                }
                complete = body;
                body = null;
            }
            BoxHeader done = pending;
            pending = null;
            bodyFill = 0;
            if (!sink.frame(done, complete) && in.hasRemaining()) {
                stash = new byte[in.remaining()];
                in.get(stash);
                return false;
            }
        }
        return true;
    }

    /**
     * Goes on with the input stashed when the sink said stop.
     *
     * @return as {@link #feed}
     */
    boolean resume(Sink sink) throws ProtocolException {
        if (stash == null) {
            return true;
        }
        ByteBuffer rest = ByteBuffer.wrap(stash);
        stash = null;
        return feed(rest, sink);
    }

    /** A body grows by doubling (from 4 KB), never past its frame's length. */
    private void grow(int needed, int length) {
        if (body == null) {
            body = new byte[Math.min(length, Math.max(needed, FIRST_CHUNK))];
        } else if (body.length < needed) {
            body = Arrays.copyOf(body, Math.min(length, Math.max(needed, body.length * 2)));
        }
    }

    private static void check(int magic) throws ProtocolException {
        if (magic != BoxHeader.MAGIC) {
            throw new ProtocolException(String.format("bad magic 0x%08X", magic));
        }
    }

    /** @return bytes held for unfinished input: a split header, a partial body, stashed input */
    int held() {
        return headerFill + (body == null ? 0 : body.length) + (stash == null ? 0 : stash.length);
    }

    /** @return whether a frame has begun and not ended (its first bytes arrived, not all of them) */
    boolean inFrame() {
        return headerFill > 0 || pending != null;
    }

    /** @return whether input waits in the stash */
    boolean stashed() {
        return stash != null;
    }

    /** @return a description of the unfinished frame, for a log line */
    String progress() {
        if (pending != null) {
            return "a frame body (" + bodyFill + " of " + pending.bodyLength() + " bytes)";
        }
        return "a frame header (" + headerFill + " of " + BoxHeader.SIZE + " bytes)";
    }
}
