package dev.burst.container.proxy.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerLogTest {

    private final List<String> lines = new ArrayList<>();

    @Test
    void a_flood_from_one_peer_logs_a_few_lines_and_counts_the_rest() {
        PeerLog log = new PeerLog(TimeUnit.HOURS.toNanos(1), lines::add);

        for (int i = 0; i < 1000; i++) {
            log.warn("bad frame", "10.0.0.1", "bad frame from 10.0.0.1 #" + i);
        }

        assertEquals(PeerLog.BURST, lines.size());
    }

    @Test
    void other_peers_and_other_kinds_have_their_own_allowance() {
        PeerLog log = new PeerLog(TimeUnit.HOURS.toNanos(1), lines::add);
        for (int i = 0; i < 100; i++) {
            log.warn("bad frame", "10.0.0.1", "x");
        }

        log.warn("bad frame", "10.0.0.2", "from another peer");
        log.warn("refused", "10.0.0.1", "another kind");

        assertTrue(lines.contains("from another peer"));
        assertTrue(lines.contains("another kind"));
    }

    @Test
    void the_first_line_of_a_new_interval_says_how_many_were_not_logged() throws InterruptedException {
        PeerLog log = new PeerLog(TimeUnit.MILLISECONDS.toNanos(20), lines::add);
        for (int i = 0; i < PeerLog.BURST + 5; i++) {
            log.warn("bad frame", "10.0.0.1", "x");
        }
        Thread.sleep(40);

        log.warn("bad frame", "10.0.0.1", "again");

        assertTrue(lines.getLast().startsWith("again (and 5 more like it from 10.0.0.1"), lines.getLast());
    }
}
