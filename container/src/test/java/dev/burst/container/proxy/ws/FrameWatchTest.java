package dev.burst.container.proxy.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The frame watch over the bytes of client frames, fed whole and in pieces. */
class FrameWatchTest {

    /** A masked client frame with the opcode, FIN bit and a payload of n bytes. */
    private static byte[] frame(int opcode, boolean fin, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (n < 126) {
            out.write(0x80 | n);
        } else if (n < 65536) {
            out.write(0x80 | 126);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x80 | 127);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) ((long) n >> s));
            }
        }
        out.writeBytes(new byte[] {1, 2, 3, 4});
        out.writeBytes(new byte[n]);
        return out.toByteArray();
    }

    @Test
    void a_whole_message_in_one_chunk_leaves_nothing_held_and_no_message_in_progress() {
        FrameWatch w = new FrameWatch();
        byte[] f = frame(2, true, 300);

        assertEquals(0, w.feed(f, 0, f.length, 5));
        assertEquals(0, w.startedNanos());
    }

    @Test
    void a_frame_cut_short_is_held_from_its_first_byte_until_its_last() {
        FrameWatch w = new FrameWatch();
        byte[] f = frame(2, true, 70_000);

        assertEquals(1000, w.feed(f, 0, 1000, 7));
        assertEquals(7, w.startedNanos());
        assertEquals(f.length - 1000 - 10, w.feed(f, 1000, f.length - 1010, 9));
        assertEquals(-(f.length - 10), w.feed(f, f.length - 10, 10, 11));
        assertEquals(0, w.held());
        assertEquals(0, w.startedNanos());
    }

    @Test
    void fragments_keep_the_message_open_until_the_fin_frame_and_a_ping_between_them_counts_in_it() {
        FrameWatch w = new FrameWatch();
        byte[] first = frame(2, false, 100);
        byte[] ping = frame(9, true, 4);
        byte[] last = frame(0, true, 50);

        w.feed(first, 0, first.length, 3);
        w.feed(ping, 0, ping.length, 4);
        assertEquals(first.length + ping.length, w.held());
        assertEquals(3, w.startedNanos());
        w.feed(last, 0, last.length, 5);
        assertEquals(0, w.held());
        assertEquals(0, w.startedNanos());
    }

    @Test
    void a_ping_between_messages_starts_no_message() {
        FrameWatch w = new FrameWatch();
        byte[] ping = frame(9, true, 4);

        assertEquals(0, w.feed(ping, 0, ping.length, 3));
        assertEquals(0, w.startedNanos());
    }

    @Test
    void byte_by_byte_feeding_follows_two_messages_back_to_back() {
        FrameWatch w = new FrameWatch();
        byte[] first = frame(2, true, 130); // 2 + 2 length + 4 mask + 130 = 138 bytes
        byte[] two = concat(first, frame(2, true, 3));
        long total = 0;
        for (int i = 0; i < two.length; i++) {
            total += w.feed(two, i, 1, i + 1);
            if (i == first.length + 2) {
                assertEquals(3, w.held(), "three bytes into the second message");
                assertEquals(first.length + 1, w.startedNanos());
            }
        }
        assertEquals(0, total);
        assertEquals(0, w.startedNanos());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
