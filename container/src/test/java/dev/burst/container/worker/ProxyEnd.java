package dev.burst.container.worker;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireCodec;
import dev.burst.container.protocol.WireMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's end of a worker's connection, for tests: a real Unix socket pair. Frames to the worker go
 * out at once; frames from it are read by a thread of this class into a queue, so a test waits for the
 * next one with a bound.
 */
final class ProxyEnd implements AutoCloseable {

    /** What the reader puts in the queue when the worker closed its end. */
    private static final Object CLOSED = new Object();

    private final SocketChannel channel;
    private final SocketChannel workerSide;
    private final OutputStream out;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ProxyEnd(SocketChannel channel, SocketChannel workerSide) {
        this.channel = channel;
        this.workerSide = workerSide;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel));
        DataInputStream in = WireCodec.input(Channels.newInputStream(channel));
        this.reader = Thread.ofPlatform().name("test proxy reader").daemon().start(() -> {
            try {
                while (true) {
                    received.add(WireCodec.read(in));
                }
            } catch (IOException e) {
                received.add(CLOSED);
            }
        });
    }

    /**
     * @param dir a directory for the socket file
     * @return a connected pair: this end, and {@link #workerSide()} for the worker
     * @throws IOException when the sockets cannot be made
     */
    static ProxyEnd open(Path dir) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("proxy.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            SocketChannel worker = SocketChannel.open(StandardProtocolFamily.UNIX);
            worker.connect(address);
            return new ProxyEnd(server.accept(), worker);
        }
    }

    /** @return the worker's end of the connection */
    SocketChannel workerSide() {
        return workerSide;
    }

    void send(WireMessage m) throws IOException {
        WireCodec.write(out, m);
    }

    /** @return the next frame from the worker, waiting at most 30 s */
    WireMessage next() throws InterruptedException {
        Object o = received.poll(30, TimeUnit.SECONDS);
        if (o == null) {
            fail("the worker sent nothing within 30 s");
        }
        if (o == CLOSED) {
            fail("the worker closed the connection");
        }
        return (WireMessage) o;
    }

    /**
     * @return the next frame, which must be of this type; timer reports, which a worker sends between
     *         tasks whenever its timers ran, are set aside unless asked for
     */
    <T extends WireMessage> T next(Class<T> type) throws InterruptedException {
        WireMessage m = next();
        while (m instanceof WireMessage.TimerReport report && type != WireMessage.TimerReport.class) {
            timerReports.add(report);
            m = next();
        }
        return assertInstanceOf(type, m);
    }

    /** Timer reports set aside by {@link #next(Class)}, oldest first. */
    final java.util.List<WireMessage.TimerReport> timerReports = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Waits (at most 30 s) until the worker has closed its end, with no frame before. */
    void awaitClosed() throws InterruptedException {
        Object o = received.poll(30, TimeUnit.SECONDS);
        if (o != CLOSED) {
            fail(o == null ? "the worker did not close the connection within 30 s" : "the worker sent " + o);
        }
    }

    /**
     * Runs a worker's serve loop on this connection's worker side, on a thread standing for its main thread.
     *
     * @return the exit code serve returns
     */
    CompletableFuture<ExitCode> serve(Worker worker) {
        return CompletableFuture.supplyAsync(() -> worker.serve(workerSide()),
                r -> Thread.ofPlatform().name("test worker main").start(r));
    }

    /**
     * Ends a test's worker and this end: unless its serve loop ended already, closes this side (a proxy gone
     * away) and waits (at most 30 s) for the loop to return; then closes both sides.
     *
     * @param exit what {@link #serve} returned; null when the test served no worker
     */
    void stop(CompletableFuture<ExitCode> exit) throws Exception {
        if (exit != null && !exit.isDone()) {
            closeProxySide();
            exit.get(30, TimeUnit.SECONDS);
        }
        close();
    }

    /** Closes this end only, as a proxy that goes away does. */
    void closeProxySide() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        channel.close();
        workerSide.close();
        reader.join(10_000);
    }
}
