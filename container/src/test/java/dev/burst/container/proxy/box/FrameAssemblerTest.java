package dev.burst.container.proxy.box;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.protocol.BoxHeader;
import dev.burst.container.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameAssemblerTest {

    private final List<Integer> sns = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();

    private boolean collect(BoxHeader h, byte[] body) {
        sns.add(h.sn());
        bodies.add(body);
        return true;
    }

    private static byte[] frame(int sn, byte[] body) {
        return BoxHeader.encode((short) 1, (short) 0, 7, 0, sn, body);
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void whole_frames_in_one_read_are_cut_without_holding_anything() throws ProtocolException {
        FrameAssembler a = new FrameAssembler(1 << 20);

        assertTrue(a.feed(ByteBuffer.wrap(concat(frame(1, "a".getBytes()), frame(2, new byte[0]), frame(3, "ccc".getBytes()))),
                this::collect));

        assertEquals(List.of(1, 2, 3), sns);
        assertArrayEquals("ccc".getBytes(), bodies.get(2));
        assertEquals(0, a.held());
        assertFalse(a.inFrame());
    }

    @Test
    void a_frame_split_at_every_byte_comes_out_whole() throws ProtocolException {
        FrameAssembler a = new FrameAssembler(1 << 20);
        byte[] f = frame(9, "hello, box".getBytes());

        for (byte b : f) {
            a.feed(ByteBuffer.wrap(new byte[] {b}), this::collect);
        }

        assertEquals(List.of(9), sns);
        assertArrayEquals("hello, box".getBytes(), bodies.getFirst());
        assertEquals(0, a.held());
    }

    @Test
    void a_header_claiming_a_megabyte_holds_only_what_arrived() throws ProtocolException {
        FrameAssembler a = new FrameAssembler(2 << 20);
        byte[] f = frame(1, new byte[1 << 20]);

        a.feed(ByteBuffer.wrap(f, 0, 24 + 10), this::collect);

        assertTrue(a.inFrame());
        assertTrue(a.held() <= 4096, "held " + a.held());
        a.feed(ByteBuffer.wrap(f, 34, 100_000), this::collect);
        assertTrue(a.held() < 2 * 100_010 + 4096, "grows with what arrives, held " + a.held());
    }

    @Test
    void a_bad_magic_is_a_protocol_error() {
        FrameAssembler a = new FrameAssembler(1 << 20);
        byte[] f = frame(1, new byte[0]);
        f[0] = 0;

        ProtocolException e = assertThrows(ProtocolException.class, () -> a.feed(ByteBuffer.wrap(f), this::collect));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void a_packet_len_out_of_range_is_a_protocol_error_before_any_body_is_read() {
        FrameAssembler a = new FrameAssembler(100);
        byte[] f = frame(1, new byte[200]);

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> a.feed(ByteBuffer.wrap(f, 0, 24), this::collect));
        assertTrue(e.getMessage().contains("burst.box.max-packet"), e.getMessage());
    }

    @Test
    void when_the_sink_says_stop_the_rest_is_stashed_and_resumed_in_order() throws ProtocolException {
        FrameAssembler a = new FrameAssembler(1 << 20);
        byte[] input = concat(frame(1, new byte[3]), frame(2, new byte[3]), frame(3, new byte[3]));
        int[] budget = {1};
        FrameAssembler.Sink oneAtATime = (h, b) -> {
            sns.add(h.sn());
            return --budget[0] > 0;
        };

        assertFalse(a.feed(ByteBuffer.wrap(input), oneAtATime));
        assertEquals(List.of(1), sns);
        assertTrue(a.stashed());
        assertEquals(54, a.held());

        budget[0] = 10;
        assertTrue(a.resume(oneAtATime));
        assertEquals(List.of(1, 2, 3), sns);
        assertEquals(0, a.held());
    }
}
