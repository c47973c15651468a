package dev.burst.container.proxy.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.burst.container.protocol.BoxHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BoxMessageTest {

    private static final int MAX = 1024;

    private static ByteBuffer head(int magic, int packetLen) {
        return ByteBuffer.allocate(BoxHeader.SIZE).putInt(magic).putShort((short) 3).putShort((short) 7)
                .putInt(packetLen).putInt(42).putInt(0).putInt(9).flip();
    }

    private static BoxMessage.BadMessage refused(ByteBuffer head, int length) {
        return assertThrows(BoxMessage.BadMessage.class, () -> BoxMessage.check(head, length, MAX));
    }

    @Test
    void a_message_that_is_exactly_one_frame_gives_its_header() throws Exception {
        BoxHeader h = BoxMessage.check(head(BoxHeader.MAGIC, 30), 30, MAX);
        assertEquals(42, h.cmd());
        assertEquals(9, h.sn());
        assertEquals(3, h.version());
        assertEquals(7, h.flag());
        assertEquals(6, h.bodyLength());
    }

    @Test
    void a_bad_magic_is_a_protocol_error_naming_the_magic() {
        BoxMessage.BadMessage e = refused(head(0x12345678, 24), 24);
        assertEquals(BoxMessage.PROTOCOL_ERROR, e.code);
        assertEquals(WsStats.Close.BAD_FRAME, e.cause);
        assertEquals("bad magic 0x12345678", e.getMessage());
    }

    @Test
    void a_message_shorter_than_a_header_is_a_protocol_error() {
        BoxMessage.BadMessage e = refused(ByteBuffer.wrap(new byte[10]), 10);
        assertEquals(BoxMessage.PROTOCOL_ERROR, e.code);
        assertEquals("a message of 10 bytes is shorter than a Box header (24 bytes)", e.getMessage());
    }

    @Test
    void a_packet_len_below_the_header_is_a_protocol_error() {
        BoxMessage.BadMessage e = refused(head(BoxHeader.MAGIC, 12), 24);
        assertEquals(BoxMessage.PROTOCOL_ERROR, e.code);
        assertEquals("packet_len 12 is below the header size 24", e.getMessage());
    }

    @Test
    void a_packet_len_over_max_packet_is_too_big_even_in_a_short_message() {
        BoxMessage.BadMessage e = refused(head(BoxHeader.MAGIC, MAX + 1), 24);
        assertEquals(BoxMessage.TOO_BIG, e.code);
        assertEquals(WsStats.Close.TOO_BIG, e.cause);
        assertEquals("packet_len 1025 is over burst.box.max-packet 1024", e.getMessage());
    }

    @Test
    void a_message_over_max_packet_is_too_big_whatever_its_header_says() {
        BoxMessage.BadMessage e = refused(head(BoxHeader.MAGIC, 30), MAX + 1);
        assertEquals(BoxMessage.TOO_BIG, e.code);
        assertEquals("a message of 1025 bytes is over burst.box.max-packet 1024", e.getMessage());
    }

    @Test
    void a_packet_len_that_is_not_the_message_length_is_a_protocol_error() {
        BoxMessage.BadMessage shorter = refused(head(BoxHeader.MAGIC, 30), 40);
        assertEquals(BoxMessage.PROTOCOL_ERROR, shorter.code);
        assertEquals("packet_len 30 is not the message's 40 bytes (one message carries one Box frame)",
                shorter.getMessage());
        assertEquals(BoxMessage.PROTOCOL_ERROR, refused(head(BoxHeader.MAGIC, 40), 30).code);
    }

    @Test
    void a_text_message_is_unsupported_data() {
        assertEquals(BoxMessage.UNSUPPORTED_DATA, BoxMessage.text().code);
        assertEquals(WsStats.Close.TEXT_MESSAGE, BoxMessage.text().cause);
    }
}
