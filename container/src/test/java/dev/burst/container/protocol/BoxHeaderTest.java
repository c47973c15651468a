package dev.burst.container.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoxHeaderTest {

    private static final byte[] BODY = "hi".getBytes(StandardCharsets.UTF_8);

    private static BoxHeader withLength(int packetLen) {
        return new BoxHeader((short) 1, (short) 0, packetLen, 1, 0, 1);
    }

    @Test
    void the_magic_is_netkits() {
        assertEquals(0x7978AECF, BoxHeader.MAGIC);
    }

    @Test
    void an_encoded_frame_starts_with_the_magic_in_big_endian_order() {
        byte[] frame = BoxHeader.encode((short) 1, (short) 2, 3, 4, 5, BODY);

        assertArrayEquals(new byte[] {0x79, 0x78, (byte) 0xAE, (byte) 0xCF}, Arrays.copyOfRange(frame, 0, 4));
    }

    @Test
    void an_encoded_frame_lays_out_every_field_big_endian_then_the_body() {
        byte[] frame = BoxHeader.encode((short) 0x0102, (short) 0x0304, 0x0A0B0C0D, -1, 0x11223344, BODY);

        assertArrayEquals(new byte[] {
                0x79, 0x78, (byte) 0xAE, (byte) 0xCF,
                0x01, 0x02,
                0x03, 0x04,
                0, 0, 0, 26,
                0x0A, 0x0B, 0x0C, 0x0D,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                0x11, 0x22, 0x33, 0x44,
                'h', 'i'}, frame);
    }

    @Test
    void packet_len_at_offset_eight_counts_the_header_and_the_body() {
        byte[] frame = BoxHeader.encode((short) 1, (short) 0, 7, 0, 9, new byte[1000]);

        assertArrayEquals(new byte[] {0, 0, 0x04, 0x00}, Arrays.copyOfRange(frame, 8, 12));
        assertEquals(1024, frame.length);
    }

    @Test
    void a_decoded_header_gives_back_what_was_encoded() {
        byte[] frame = BoxHeader.encode((short) 3, (short) -2, 1001, -10002, 77, BODY);

        assertEquals(BoxHeader.MAGIC, BoxHeader.magicOf(frame));
        assertEquals(new BoxHeader((short) 3, (short) -2, 26, 1001, -10002, 77), BoxHeader.decode(frame));
        assertEquals(2, BoxHeader.decode(frame).bodyLength());
    }

    @Test
    void a_reply_copies_version_flag_cmd_and_sn_and_sets_ret_and_body() {
        BoxHeader request = new BoxHeader((short) 2, (short) 8, 24, 1001, 0, 4242);

        byte[] reply = request.encodeReply(RetCode.UNKNOWN_CMD, BODY);

        assertEquals(new BoxHeader((short) 2, (short) 8, 26, 1001, RetCode.UNKNOWN_CMD, 4242), BoxHeader.decode(reply));
        assertArrayEquals(BODY, Arrays.copyOfRange(reply, BoxHeader.SIZE, reply.length));
    }

    @Test
    void a_packet_len_below_the_header_size_is_refused() {
        Optional<String> why = withLength(23).check(1024);

        assertTrue(why.isPresent());
        assertTrue(why.get().contains("23"), why.get());
    }

    @Test
    void a_negative_packet_len_is_refused() {
        assertTrue(withLength(-1).check(1024).isPresent());
    }

    @Test
    void a_packet_len_above_the_maximum_is_refused_naming_the_key() {
        Optional<String> why = withLength(1025).check(1024);

        assertTrue(why.isPresent());
        assertTrue(why.get().contains("burst.box.max-packet"), why.get());
    }

    @Test
    void a_bare_header_and_a_packet_of_exactly_the_maximum_are_accepted() {
        assertEquals(Optional.empty(), withLength(24).check(1024));
        assertEquals(Optional.empty(), withLength(1024).check(1024));
    }
}
