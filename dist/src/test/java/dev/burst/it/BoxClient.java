package dev.burst.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A plain netkit Box client for tests, written from the wire format, not from burst's code. */
final class BoxClient implements AutoCloseable {

    static final int MAGIC = 0x7978AECF;

    record Reply(int cmd, int ret, int sn, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    BoxClient(int port) throws IOException {
        this(port, 0);
    }

    /**
     * @param port          the Box port
     * @param receiveBuffer the socket's receive buffer in bytes (small: a client that reads slowly); 0 for the default
     */
    BoxClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(60_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] frame(int magic, int packetLen, int cmd, int sn, byte[] body) {
        return ByteBuffer.allocate(24 + body.length).putInt(magic).putShort((short) 1).putShort((short) 0)
                .putInt(packetLen).putInt(cmd).putInt(0).putInt(sn).put(body).array();
    }

    void send(int cmd, int sn, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        write(frame(MAGIC, 24 + b.length, cmd, sn, b));
    }

    void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    Reply read() throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException("bad magic in reply: " + Integer.toHexString(magic));
        }
        in.readShort();
        in.readShort();
        int len = in.readInt();
        int cmd = in.readInt();
        int ret = in.readInt();
        int sn = in.readInt();
        byte[] body = new byte[len - 24];
        in.readFully(body);
        return new Reply(cmd, ret, sn, body);
    }

    Reply call(int cmd, int sn, String body) throws IOException {
        send(cmd, sn, body);
        return read();
    }

    /** @return whether the server closed the connection (EOF on read) */
    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return true; // reset by peer counts as closed
        }
    }

    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
