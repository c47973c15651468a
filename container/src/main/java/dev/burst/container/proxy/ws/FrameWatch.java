package dev.burst.container.proxy.ws;

/**
 * Follows the WebSocket framing of the bytes a connection's reader pulls from its socket, without
 * copying them: whether a message is in progress, since when, and how many of its bytes are held. Helidon
 * reads the frames itself and hands burst only whole ones, so this is how a WebSocket connection gets the
 * Box limits on unfinished input: a message must arrive whole within {@code burst.box.frame-timeout} from
 * its first byte, and the bytes of unfinished messages, over every connection, stay within
 * {@code burst.box.max-inbound-bytes}.
 *
 * <p>A message starts with the first byte of a data frame (opcode 0, 1 or 2) and ends with the last byte
 * of a data frame whose FIN bit is set; control frames (ping, pong, close) between its fragments count as
 * its bytes. Threads: the connection's reader thread feeds it; {@link #startedNanos()} is read by the
 * sweeper.
 */
final class FrameWatch {

    private enum Stage { FIRST, SECOND, LENGTH, MASK, PAYLOAD }

    private Stage stage = Stage.FIRST;
    private boolean fin;
    private boolean data;
    private boolean masked;
    private int lengthBytes;
    private long payload;
    private int maskBytes;
    /** Bytes of the message in progress seen so far; 0 between messages. */
    private long held;
    /** When the message in progress started ({@link System#nanoTime()}); 0 between messages. */
    private volatile long startedNanos;

    /**
     * Follows a chunk of bytes as the reader pulls it.
     *
     * @param b    the bytes
     * @param off  where the chunk starts
     * @param len  its length
     * @param now  {@link System#nanoTime()} at the pull
     * @return the change of {@link #held()}: what to charge to (or, negative, give back to) the budget
     */
    long feed(byte[] b, int off, int len, long now) {
        long before = held;
        int i = off;
        int end = off + len;
        while (i < end) {
            int start = i;
            switch (stage) {
                case FIRST -> {
                    int b0 = b[i++] & 0xFF;
                    fin = (b0 & 0x80) != 0;
                    data = (b0 & 0x0F) < 8;
                    if (data && startedNanos == 0) {
                        startedNanos = now == 0 ? 1 : now;
                    }
                    stage = Stage.SECOND;
                }
                case SECOND -> {
                    int b1 = b[i++] & 0xFF;
                    masked = (b1 & 0x80) != 0;
                    int len7 = b1 & 0x7F;
                    payload = len7 < 126 ? len7 : 0;
                    lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
                    maskBytes = masked ? 4 : 0;
                    stage = lengthBytes > 0 ? Stage.LENGTH : afterLength();
                }
                case LENGTH -> {
                    payload = (payload << 8) | (b[i++] & 0xFF);
                    if (--lengthBytes == 0) {
                        stage = afterLength();
                    }
                }
                case MASK -> {
                    i++;
                    if (--maskBytes == 0) {
                        stage = Stage.PAYLOAD;
                    }
                }
                case PAYLOAD -> {
                    long take = Math.min(end - i, payload);
                    i += (int) take;
                    payload -= take;
                }
            }
            if (startedNanos != 0) {
                held += i - start;
            }
            if (stage == Stage.PAYLOAD && payload == 0) {
                frameDone();
            }
        }
        return held - before;
    }

    private Stage afterLength() {
        return maskBytes > 0 ? Stage.MASK : Stage.PAYLOAD;
    }

    private void frameDone() {
        stage = Stage.FIRST;
        if (data && fin) {
            held = 0;
            startedNanos = 0;
        }
    }

    /** @return bytes of the unfinished message held now */
    long held() {
        return held;
    }

    /** @return when the unfinished message started, or 0 when none is in progress */
    long startedNanos() {
        return startedNanos;
    }
}
