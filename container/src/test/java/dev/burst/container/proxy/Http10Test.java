package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http10Test {

    @Test
    void a_request_line_is_http10_only_when_it_says_so() {
        assertTrue(Http10.isRequestLine("GET /health/live HTTP/1.0"));
        assertFalse(Http10.isRequestLine("GET /health/live HTTP/1.1"));
        assertFalse(Http10.isRequestLine("GET /HTTP/1.0/x HTTP/1.1"));
        assertFalse(Http10.isRequestLine(""));
    }

    @Test
    void a_hostless_http10_request_becomes_an_http11_request_that_closes_its_connection() throws Exception {
        String head = new String(Http10.rewriteHead(List.of("GET /health/ready HTTP/1.0", "User-Agent: lb"),
                "127.0.0.1:9910"), StandardCharsets.ISO_8859_1);

        assertEquals("GET /health/ready HTTP/1.1\r\nUser-Agent: lb\r\nHost: 127.0.0.1:9910\r\nConnection: close\r\n\r\n", head);
    }

    @Test
    void keep_alive_and_expect_are_dropped_and_the_clients_host_is_kept() throws Exception {
        String head = new String(Http10.rewriteHead(List.of("POST /cmd/1 HTTP/1.0", "Host: api", "Connection: keep-alive",
                "Keep-Alive: timeout=5", "Expect: 100-continue", "Content-Length: 2"), "ignored"), StandardCharsets.ISO_8859_1);

        assertEquals("POST /cmd/1 HTTP/1.1\r\nHost: api\r\nContent-Length: 2\r\nConnection: close\r\n\r\n", head);
    }

    @Test
    void an_http10_request_with_transfer_encoding_is_refused_as_badly_framed() {
        Http10.Refused r = assertThrows(Http10.Refused.class, () -> Http10.rewriteHead(
                List.of("POST /cmd/1 HTTP/1.0", "transfer-encoding: chunked"), "h"));

        assertTrue(r.getMessage().contains("Transfer-Encoding"), r.getMessage());
    }

    @Test
    void a_chunked_response_written_in_pieces_reaches_an_http10_client_as_a_plain_body() {
        Captured out = new Captured();
        Http10.ResponseWriter writer = new Http10.ResponseWriter(out);
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += 7) { // split everywhere: in the head, sizes, data and CRLFs
            writer.write(BufferData.create(bytes, i, Math.min(7, bytes.length - i)));
        }

        assertEquals("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello, world", out.text());
    }

    @Test
    void a_response_with_a_length_keeps_it_and_an_interim_response_is_not_passed_on() {
        Captured out = new Captured();
        Http10.ResponseWriter writer = new Http10.ResponseWriter(out);

        writer.writeNow(BufferData.create("HTTP/1.1 100 Continue\r\n\r\n"));
        writer.write(BufferData.create("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));

        assertEquals("HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", out.text());
    }

    private static final class Captured implements DataWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(BufferData... buffers) {
            for (BufferData b : buffers) {
                bytes.writeBytes(b.readBytes());
            }
        }

        @Override
        public void write(BufferData buffer) {
            write(new BufferData[] {buffer});
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            write(buffer);
        }

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
