package dev.burst.container.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProcessRssTest {

    @Test
    void worker_rss_is_read_at_most_once_a_second_however_often_stat_asks() {
        AtomicLong reads = new AtomicLong();
        ProcessRss rss = new ProcessRss(pid -> {
            reads.incrementAndGet();
            return pid * 1000;
        });
        long now = 5_000_000_000L;
        for (int i = 0; i < 10; i++) {
            assertEquals(42_000, rss.bytes(42, now + i * 50_000_000L));
        }
        assertEquals(1, reads.get(), "ten asks within half a second: one read");
        rss.bytes(42, now + 1_000_000_000L);
        assertEquals(2, reads.get(), "a second later: read again");
        rss.retain(List.of());
        rss.bytes(42, now + 1_000_000_001L);
        assertEquals(3, reads.get(), "a forgotten process is read afresh");
    }

    @Test
    void this_process_has_a_resident_set_and_a_process_that_is_gone_has_none() {
        assertTrue(ProcessRss.fromProc(ProcessHandle.current().pid()) > 1 << 20);
        assertEquals(0, ProcessRss.fromProc(Long.MAX_VALUE));
    }
}
