package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.process.Logs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real listeners on loopback, with small routes of their own, spoken to over raw sockets. */
class HttpListenersTest {

    private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger gateLog = Logger.getLogger(ConnectionGate.class.getName());
    private HttpListeners listeners;

    @BeforeAll
    static void logging() {
        Logs.setUp("test pid " + ProcessHandle.current().pid()); // System.Logger reaches java.util.logging as in burst
    }

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
        gateLog.setLevel(Level.FINE);
    }

    @AfterEach
    void stop() {
        if (listeners != null) {
            listeners.stop();
        }
        Logger.getLogger("").removeHandler(capture);
        gateLog.setLevel(null);
    }

    private static HttpListeners.Spec spec(String name, int port, int maxConnections) {
        return new HttpListeners.Spec(name, "127.0.0.1", port, 1024, "burst." + name + ".max-body", maxConnections,
                "burst." + name + ".max-connections", r -> {
                    r.post("/echo", (req, res) -> res.send(req.content().as(byte[].class)));
                    r.get("/stream", (req, res) -> {
                        try (OutputStream out = res.outputStream()) { // no length: chunked in HTTP/1.1
                            out.write("streamed, ".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            out.write("then ended".getBytes(StandardCharsets.US_ASCII));
                        }
                    });
                });
    }

    @Test
    void connections_over_the_limit_are_closed_at_once_counted_and_logged_once_per_peer() throws Exception {
        listeners = HttpListeners.start(spec("http", 0, 2), spec("admin", 0, 100));
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket("127.0.0.1", listeners.httpPort());
                open.add(s);
                assertTrue(echo(s, "hi").startsWith("HTTP/1.1 200"));
            }
            for (int i = 0; i < 3; i++) {
                try (Socket refused = new Socket("127.0.0.1", listeners.httpPort())) {
                    assertTrue(closedByServer(refused), "connection " + (3 + i) + " is closed at once");
                }
            }
            assertEquals(3, listeners.refusedConnections());
            List<LogRecord> warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
            assertEquals(1, warnings.size(), "one line per peer a minute: " + warnings.stream().map(LogRecord::getMessage).toList());
            assertTrue(warnings.getFirst().getMessage().startsWith(
                    "http listener refused a connection from 127.0.0.1: burst.http.max-connections 2 connections are open"),
                    warnings.getFirst().getMessage());
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void a_client_that_leaves_in_the_middle_of_a_request_is_one_debug_line_and_no_error() throws Exception {
        listeners = HttpListeners.start(spec("http", 0, 100), spec("admin", 0, 100));
        int aborts = 20;
        for (int i = 0; i < aborts; i++) {
            try (Socket s = new Socket("127.0.0.1", listeners.httpPort())) {
                s.setSoTimeout(10_000);
                String partial = i % 2 == 0 ? "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf"
                        : "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Le";
                s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertTrue(closedByServer(s), "the server closes its side too, without an answer");
            }
        }

        List<LogRecord> debug = records.stream().filter(r -> r.getLevel() == Level.FINE
                && r.getLoggerName().equals(ConnectionGate.class.getName())).toList();
        assertEquals(aborts, debug.size(), records.stream().map(LogRecord::getMessage).toList().toString());
        assertTrue(debug.getFirst().getMessage().startsWith("http listener: 127.0.0.1 closed its connection in the middle of a request"),
                debug.getFirst().getMessage());
        assertTrue(records.stream().noneMatch(r -> r.getLevel().intValue() > Level.FINE.intValue() || r.getThrown() != null),
                records.stream().map(LogRecord::getMessage).toList().toString());
    }

    @Test
    void an_http10_client_gets_a_streamed_response_de_chunked_and_closed() throws Exception {
        listeners = HttpListeners.start(spec("http", 0, 100), spec("admin", 0, 100));
        try (Socket s = new Socket("127.0.0.1", listeners.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /stream HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertTrue(response.startsWith("HTTP/1.0 200 OK\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\nstreamed, then ended"), response);
            assertTrue(!response.toLowerCase().contains("transfer-encoding"), response);
        }
    }

    @Test
    void a_listener_that_cannot_bind_fails_naming_it_its_address_and_port_and_the_other_is_stopped() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int free;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                free = probe.getLocalPort();
            }

            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> HttpListeners.start(spec("http", free, 100), spec("admin", taken.getLocalPort(), 100)));

            assertTrue(e.getMessage().startsWith("cannot open the admin listener on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    e.getMessage());
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), free)); // the http listener let go of it
            }
        }
    }

    private static String echo(Socket s, String body) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.ISO_8859_1).endsWith(body)) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }
}
