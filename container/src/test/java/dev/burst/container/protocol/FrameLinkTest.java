package dev.burst.container.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.protocol.WireMessage.Result;
import dev.burst.container.protocol.WireMessage.Retire;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FrameLink} over a real loopback connection: one end a link, the other a plain channel. */
class FrameLinkTest {

    private SocketChannel peer;
    private FrameLink link;

    @BeforeEach
    void connect() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            peer = SocketChannel.open(server.getLocalAddress());
            link = FrameLink.over(server.accept());
        }
    }

    @AfterEach
    void close() throws IOException {
        link.close();
        peer.close();
    }

    private void peerWrites(WireMessage... messages) throws IOException {
        for (WireMessage m : messages) {
            ByteBuffer b = ByteBuffer.wrap(WireCodec.encode(m));
            while (b.hasRemaining()) {
                peer.write(b);
            }
        }
    }

    private static Result result(long id, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        Arrays.fill(body, (byte) id);
        return new Result(id, WireMessage.Status.REPLY, 0, body);
    }

    @Test
    void frames_written_together_are_read_one_by_one_in_order() throws IOException {
        peerWrites(new Retire(1), result(2, 10), new Retire(3));

        assertEquals(new Retire(1), link.read());
        Result r = (Result) link.read();
        assertEquals(2, r.taskId());
        assertArrayEquals(result(2, 10).body(), r.body());
        assertEquals(new Retire(3), link.read());
    }

    @Test
    void a_frame_larger_than_the_buffer_arrives_whole_and_a_small_one_after_it_too() throws Exception {
        Result big = result(7, 300_000);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                peerWrites(big, new Retire(8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        Result got = (Result) link.read();
        assertArrayEquals(big.body(), got.body());
        assertEquals(new Retire(8), link.read());
        writer.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Test
    void a_poll_returns_null_at_its_deadline_and_a_frame_already_in_even_past_it() throws IOException {
        assertNull(link.poll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20)));

        peerWrites(new Retire(5));
        long past = System.nanoTime() - 1;
        WireMessage m = null;
        for (int i = 0; i < 200 && m == null; i++) {
            m = link.poll(past); // no wait: it reads what the socket already holds
        }
        assertEquals(new Retire(5), m);
    }

    @Test
    void frames_sent_together_reach_the_other_end_in_one_piece_and_in_order() throws IOException {
        List<WireMessage> sent = List.of(new Retire(1), result(2, 5_000), new Retire(3));
        link.send(sent);

        List<WireMessage> got = new ArrayList<>();
        try (FrameLink other = FrameLink.over(peer)) {
            for (int i = 0; i < sent.size(); i++) {
                got.add(other.read());
            }
        }
        assertEquals(new Retire(1), got.get(0));
        assertArrayEquals(((Result) sent.get(1)).body(), ((Result) got.get(1)).body());
        assertEquals(new Retire(3), got.get(2));
    }

    @Test
    void the_other_end_closing_ends_the_wait_with_end_of_stream_and_inside_a_frame_says_so() throws IOException {
        byte[] frame = WireCodec.encode(new Retire(9));
        peer.write(ByteBuffer.wrap(frame, 0, frame.length - 2));
        peer.close();

        EOFException e = assertThrows(EOFException.class, link::read);
        assertTrue(e.getMessage().contains("inside a frame"), e.getMessage());
    }

    @Test
    void shutting_the_input_down_ends_a_waiting_read_while_frames_still_go_out() throws Exception {
        Thread reader = Thread.ofPlatform().start(() -> assertThrows(EOFException.class, link::read));
        Thread.sleep(50); // let it wait; the test holds either way
        link.shutdownInput();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(reader.isAlive());

        link.send(new Retire(4));
        try (FrameLink other = FrameLink.over(peer)) {
            assertEquals(new Retire(4), other.read());
        }
    }

    @Test
    void a_sender_blocked_on_a_full_socket_goes_on_once_the_other_end_reads() throws Exception {
        Result big = result(1, 8 << 20); // larger than a loopback socket's buffers
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                link.send(big);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (FrameLink other = FrameLink.over(peer)) {
            Result got = (Result) other.read();
            assertEquals(big.body().length, got.body().length);
        }
        sender.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(sender.isAlive());
    }
}
