package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void connections_a_process_accepted_are_counted_by_peer_address_and_not_those_waiting_in_the_backlog() throws Exception {
        InetAddress two = InetAddress.getByName("127.0.0.2");
        InetAddress three = InetAddress.getByName("127.0.0.3");
        long self = ProcessHandle.current().pid();
        List<Socket> sockets = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 50);
            int port = server.getLocalPort();
            for (InetAddress from : List.of(two, two, two, three, three)) {
                sockets.add(connect(from, port));
                sockets.add(server.accept());
            }
            sockets.add(connect(two, port));          // completed by the kernel, never accepted

            assertEquals(3, ProcStats.acceptedFrom(self, port, Set.of(two)));
            assertEquals(5, ProcStats.acceptedFrom(self, port, Set.of(two, three)));
            assertEquals(0, ProcStats.acceptedFrom(self, port + 1 == 65536 ? 1 : port + 1, Set.of(two, three)));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void a_process_that_is_gone_holds_nothing_and_the_open_files_limit_is_read() throws Exception {
        assertEquals(0, ProcStats.acceptedFrom(Long.MAX_VALUE, 1, Set.of(InetAddress.getLoopbackAddress())));
        assertTrue(ProcStats.openFilesLimit(ProcessHandle.current().pid()).orElseThrow() > 0);
        assertTrue(ProcStats.openFiles(ProcessHandle.current().pid()).orElseThrow() > 0);
    }

    @Test
    void read_and_write_system_calls_come_from_proc_io_and_grow_as_the_process_writes() throws Exception {
        assertEquals(Optional.of(new ProcStats.Io(1200, 345)), ProcStats.ioOf("""
                rchar: 6976
                wchar: 0
                syscr: 1200
                syscw: 345
                read_bytes: 0
                """));
        assertEquals(Optional.empty(), ProcStats.ioOf("rchar: 1\nsyscr: 2\n"));
        long self = ProcessHandle.current().pid();
        ProcStats.Io before = ProcStats.io(self).orElseThrow();
        Path file = Files.createTempFile("procstats", ".txt");
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            for (int i = 0; i < 10; i++) {
                out.write(i);
            }
        } finally {
            Files.delete(file);
        }
        assertTrue(ProcStats.io(self).orElseThrow().writeCalls() >= before.writeCalls() + 10);
        assertEquals(Optional.empty(), ProcStats.io(Long.MAX_VALUE));
    }

    private static Socket connect(InetAddress from, int port) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }
}
