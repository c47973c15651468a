package dev.burst.bench;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * The baseline: the same echo burst's hello plugin serves (cmd 1), served in one JVM with nothing in
 * between. HTTP is a plain Helidon SE 4 WebServer: {@code POST /cmd/{cmd}} answers the request body, with
 * the {@code Burst-Ret: 0} header burst sends. Box is a raw {@link ServerSocket} with burst's frame: one
 * virtual thread per connection reads a frame and writes the reply with cmd and sn copied, flushing when
 * no further request is already buffered (so pipelined requests are answered in batches).
 *
 * <p>Usage: {@code Baseline PORTS_FILE}: listens on free loopback ports and writes {@code http=} and
 * {@code box=} to PORTS_FILE once both serve; runs until killed.
 */
public final class Baseline {

    private static final HeaderName BURST_RET = HeaderNames.create("Burst-Ret");

    private Baseline() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: Baseline PORTS_FILE");
            System.exit(2);
        }
        WebServer http = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.post("/cmd/{cmd}", (req, res) -> {
                    byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
                    res.header(BURST_RET, "0");
                    res.send(body);
                }))
                .build()
                .start();
        ServerSocket box = new ServerSocket();
        box.setReuseAddress(true);
        box.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        Thread.ofVirtual().name("box-accept").start(() -> accept(box));

        Path ports = Path.of(args[0]);
        Path tmp = ports.resolveSibling(ports.getFileName() + ".tmp");
        Files.writeString(tmp, "http=" + http.port() + "\nbox=" + box.getLocalPort() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, ports, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("baseline pid " + ProcessHandle.current().pid() + " serving: http 127.0.0.1:" + http.port()
                + ", box 127.0.0.1:" + box.getLocalPort());
        new CountDownLatch(1).await();   // until killed
    }

    private static void accept(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofVirtual().name("box-echo").start(() -> echo(s));
            } catch (IOException e) {
                System.err.println("baseline box accept failed: " + e.getMessage());
            }
        }
    }

    /** Echoes frames until the client closes. Runs on the connection's virtual thread. */
    private static void echo(Socket s) {
        byte[] header = new byte[BoxLoad.HEADER];
        try (s) {
            InputStream raw = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            DataInputStream in = new DataInputStream(raw);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    out.flush();
                    return;
                }
                int length = BoxLoad.getInt(header, 8);
                if (BoxLoad.getInt(header, 0) != BoxLoad.MAGIC || length < BoxLoad.HEADER || length > 1 << 20) {
                    System.err.println("baseline box: bad frame from " + s.getRemoteSocketAddress());
                    return;
                }
                byte[] body = in.readNBytes(length - BoxLoad.HEADER);
                BoxLoad.putInt(header, 16, 0);
                out.write(header);
                out.write(body);
                if (raw.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // The client went away: nothing to answer.
        }
    }
}
