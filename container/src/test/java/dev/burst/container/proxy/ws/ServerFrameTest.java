package dev.burst.container.proxy.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Frame headers as RFC 6455 section 5.2 lays them out, for each of the three length forms. */
class ServerFrameTest {

    private static byte[] binary(int length) {
        byte[] header = new byte[24];
        Arrays.fill(header, (byte) 1);
        byte[] body = new byte[length - 24];
        Arrays.fill(body, (byte) 2);
        return ServerFrame.binary(ByteBuffer.wrap(header), ByteBuffer.wrap(body));
    }

    @Test
    void a_payload_under_126_bytes_has_its_length_in_the_second_byte() {
        byte[] f = binary(125);
        assertEquals(2 + 125, f.length);
        assertEquals((byte) 0x82, f[0], "FIN and the binary opcode");
        assertEquals(125, f[1], "no mask bit, length 125");
        assertEquals(1, f[2], "the Box header follows");
        assertEquals(2, f[2 + 24], "then its body");
    }

    @Test
    void a_payload_under_64_kb_has_a_16_bit_length() {
        byte[] f = binary(65535);
        assertEquals(4 + 65535, f.length);
        assertEquals(126, f[1]);
        assertEquals(65535, ByteBuffer.wrap(f, 2, 2).getShort() & 0xFFFF);
    }

    @Test
    void a_payload_of_64_kb_or_more_has_a_64_bit_length() {
        byte[] f = binary(65536);
        assertEquals(10 + 65536, f.length);
        assertEquals(127, f[1]);
        assertEquals(65536L, ByteBuffer.wrap(f, 2, 8).getLong());
        assertEquals(2, f[f.length - 1]);
    }

    @Test
    void a_pong_carries_the_pings_payload() {
        assertArrayEquals(new byte[] {(byte) 0x8A, 3, 'a', 'b', 'c'}, ServerFrame.pong(new byte[] {'a', 'b', 'c'}));
    }
}
