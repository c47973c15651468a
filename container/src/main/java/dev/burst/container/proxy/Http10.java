package dev.burst.container.proxy;

import dev.burst.container.proxy.ws.ContextView;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * HTTP/1.0 served by Helidon's HTTP/1.1 connection, which rejects 1.0 with 505 and cannot be configured
 * otherwise. Health checkers still speak 1.0 (HAProxy's default {@code httpchk}, older load balancers,
 * {@code curl -0}), so a 505 on {@code /health/ready} reads as "down".
 *
 * <p>The smallest sound translation, one request per connection (1.0 without keep-alive; a client asking
 * for keep-alive gets {@code Connection: close}, which 1.0 allows):
 * <ul>
 * <li>request: the head is read whole and rewritten as HTTP/1.1 with {@code Connection: close}, a
 *     {@code Host} when the client sent none (1.0 does not require one; 1.1 does), and without the
 *     hop-by-hop headers 1.0 gives other meanings ({@code Connection}, {@code Keep-Alive},
 *     {@code Expect}). The body follows untouched: in 1.0 it is framed by {@code Content-Length} only. A
 *     1.0 request with {@code Transfer-Encoding} has faulty framing (RFC 9112 section 6.1) and gets 400.</li>
 * <li>response: the status line says {@code HTTP/1.0}; a chunked body (1.0 clients cannot decode it) is
 *     sent de-chunked, ended by the connection's close, as 1.0 frames a body without a length; interim
 *     1xx responses are dropped.</li>
 * </ul>
 * Everything else (routing, limits, error handling) is the HTTP/1.1 path's own.
 *
 * <p>Threads: the connection's Helidon virtual thread, which reads, routes and writes.
 */
final class Http10 {

    private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "expect", "proxy-connection");
    private static final String VERSION = " HTTP/1.0";

    private Http10() {
    }

    /** @return whether the request line asks for HTTP/1.0 */
    static boolean isRequestLine(String line) {
        return line.endsWith(VERSION);
    }

    /**
     * Reads the HTTP/1.0 request head from the reader and gives the connection as Helidon's HTTP/1.1
     * connection will see it.
     *
     * @return the translated connection, or null when the request was refused here (already answered)
     */
    static ConnectionContext translate(ConnectionContext ctx, DataReader reader, Http1Config http1) {
        byte[] head;
        try {
            head = rewriteHead(readHead(reader, http1.maxPrologueLength() + http1.maxHeadersSize()), host(ctx));
        } catch (Refused r) {
            refuse(ctx.dataWriter(), r.getMessage());
            return null;
        }
        Supplier<byte[]> translated = new Supplier<>() {
            private byte[] first = head;

            @Override
            public byte[] get() {
                if (first != null) {
                    byte[] b = first;
                    first = null;
                    return b;
                }
                reader.ensureAvailable(); // the gate's reader: its end of stream closes the connection
                return reader.readBytes(reader.available());
            }
        };
        return new ContextView(ctx, new DataReader(translated), new ResponseWriter(ctx.dataWriter()));
    }

    /** The request line and header lines, up to the empty line (consumed). */
    private static List<String> readHead(DataReader reader, int max) throws Refused {
        List<String> lines = new ArrayList<>();
        int budget = max;
        while (true) {
            int eol;
            try {
                eol = reader.findNewLine(budget);
            } catch (DataReader.IncorrectNewLineException e) {
                throw new Refused("request lines must end with CRLF");
            }
            if (eol >= budget) {
                throw new Refused("request head over " + max + " bytes");
            }
            String line = reader.readAsciiString(eol);
            reader.skip(2);
            budget -= eol + 2;
            if (line.isEmpty()) {
                return lines;
            }
            lines.add(line);
        }
    }

    /**
     * @param lines the request line and header lines of an HTTP/1.0 request
     * @param host  the Host to add when the request has none
     * @return the same request as an HTTP/1.1 head that closes its connection
     * @throws Refused when the request cannot be served as HTTP/1.0
     */
    static byte[] rewriteHead(List<String> lines, String host) throws Refused {
        StringBuilder sb = new StringBuilder(256);
        String requestLine = lines.getFirst();
        sb.append(requestLine, 0, requestLine.length() - VERSION.length()).append(" HTTP/1.1\r\n");
        boolean hasHost = false;
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            String name = (colon < 0 ? line : line.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            if (name.equals("transfer-encoding")) {
                throw new Refused("an HTTP/1.0 request cannot use Transfer-Encoding; send Content-Length");
            }
            if (DROPPED.contains(name)) {
                continue;
            }
            hasHost |= name.equals("host");
            sb.append(line).append("\r\n");
        }
        if (!hasHost) {
            sb.append("Host: ").append(host).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String host(ConnectionContext ctx) {
        if (ctx.localPeer().address() instanceof InetSocketAddress a && a.getAddress() != null) {
            String ip = a.getAddress().getHostAddress();
            if (a.getAddress() instanceof Inet6Address) {
                int scope = ip.indexOf('%');
                ip = "[" + (scope < 0 ? ip : ip.substring(0, scope)) + "]";
            }
            return ip + ":" + a.getPort();
        }
        return "localhost";
    }

    private static void refuse(DataWriter out, String why) {
        byte[] body = HttpErrors.json(why);
        String head = "HTTP/1.0 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        out.writeNow(BufferData.create(BufferData.create(head.getBytes(StandardCharsets.US_ASCII)), BufferData.create(body)));
    }

    /** A request HTTP/1.0 cannot carry; its message is the client's answer. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Turns the HTTP/1.1 connection's response into an HTTP/1.0 one as it is written. */
    static final class ResponseWriter implements DataWriter {
        private final DataWriter out;
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private boolean inBody;
        private Dechunker chunks;

        ResponseWriter(DataWriter out) {
            this.out = out;
        }

        @Override
        public void write(BufferData... buffers) {
            byte[] b = translate(buffers);
            if (b.length > 0) {
                out.write(BufferData.create(b));
            }
        }

        @Override
        public void write(BufferData buffer) {
            write(new BufferData[] {buffer});
        }

        @Override
        public void writeNow(BufferData... buffers) {
            byte[] b = translate(buffers);
            if (b.length > 0) {
                out.writeNow(BufferData.create(b));
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            writeNow(new BufferData[] {buffer});
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.close();
        }

        private byte[] translate(BufferData... buffers) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (BufferData buffer : buffers) {
                byte[] b = buffer.readBytes();
                int i = 0;
                while (i < b.length && !inBody) {
                    head.write(b[i++]);
                    if (endsHead()) {
                        headDone(o);
                    }
                }
                if (i < b.length) {
                    if (chunks == null) {
                        o.write(b, i, b.length - i);
                    } else {
                        chunks.feed(b, i, o);
                    }
                }
            }
            return o.toByteArray();
        }

        private boolean endsHead() {
            byte[] h = head.toByteArray();
            int n = h.length;
            return n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n';
        }

        private void headDone(ByteArrayOutputStream o) {
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            head.reset();
            String status = lines[0];
            if (status.startsWith("HTTP/1.1 1")) {
                return; // interim response (100 Continue): an HTTP/1.0 client does not expect it
            }
            StringBuilder sb = new StringBuilder(head.size() + 64);
            sb.append(status.startsWith("HTTP/1.1 ") ? "HTTP/1.0 " + status.substring(9) : status).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("transfer-encoding")
                        && line.substring(colon + 1).toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunks = new Dechunker();
                    continue;
                }
                sb.append(line).append("\r\n");
            }
            sb.append("\r\n");
            o.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            inBody = true;
        }
    }

    /** Decodes the chunked coding the HTTP/1.1 connection wrote (well formed: this server wrote it). */
    static final class Dechunker {
        private enum State { SIZE, DATA, DATA_END, TRAILER, DONE }

        private State state = State.SIZE;
        private long remaining;
        private final StringBuilder line = new StringBuilder();

        void feed(byte[] b, int from, ByteArrayOutputStream out) {
            int i = from;
            while (i < b.length && state != State.DONE) {
                switch (state) {
                    case SIZE -> {
                        byte c = b[i++];
                        if (c == '\n') {
                            String size = line.toString();
                            int ext = size.indexOf(';');
                            remaining = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
                            line.setLength(0);
                            state = remaining == 0 ? State.TRAILER : State.DATA;
                        } else if (c != '\r') {
                            line.append((char) c);
                        }
                    }
                    case DATA -> {
                        int n = (int) Math.min(remaining, b.length - i);
                        out.write(b, i, n);
                        i += n;
                        remaining -= n;
                        if (remaining == 0) {
                            remaining = 2; // the CRLF after the data
                            state = State.DATA_END;
                        }
                    }
                    case DATA_END -> {
                        i++;
                        if (--remaining == 0) {
                            state = State.SIZE;
                        }
                    }
                    case TRAILER -> {
                        byte c = b[i++];
                        if (c == '\n') {
                            state = line.isEmpty() ? State.DONE : State.TRAILER;
                            line.setLength(0);
                        } else if (c != '\r') {
                            line.append((char) c);
                        }
                    }
                    case DONE -> i = b.length;
                }
            }
        }

        boolean done() {
            return state == State.DONE;
        }
    }
}
