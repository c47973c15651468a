package dev.burst.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JcmdTest {

    @Test
    void the_heap_in_use_is_read_from_every_collectors_heap_info() {
        assertEquals(OptionalLong.of((0 + 3054) * 1024L), Jcmd.heapUsedBytes("""
                6408:
                DefNew     total 116224K, used 0K [0x0000000687400000, 0x000000068f210000, 0x0000000704d50000)
                 eden space 103360K,   0% used [0x0000000687400000, 0x0000000687400000, 0x000000068d8f0000)
                 from space 12864K,   0% used [0x000000068d8f0000, 0x000000068d8f0000, 0x000000068e580000)
                 to   space 12864K,   0% used [0x000000068e580000, 0x000000068e580000, 0x000000068f210000)
                Tenured    total 258048K, used 3054K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   1% used [0x0000000704d50000, 0x000000070504bb10, 0x0000000714950000)
                """));
        assertEquals(OptionalLong.of(2912 * 1024L), Jcmd.heapUsedBytes("""
                6616:
                garbage-first heap   total reserved 6172672K, committed 28672K, used 2912K [0x0000000687400000, 0x0000000800000000)
                 region size 4096K, 0 young (0K), 0 survivors (0K)
                """));
        assertEquals(OptionalLong.of(4L << 20), Jcmd.heapUsedBytes("""
                7129:
                ZHeap            used 4M, capacity 378M, max capacity 6028M
                 Cache           374M (2)
                """));
        assertEquals(OptionalLong.empty(), Jcmd.heapUsedBytes("7129:\nsomething else\n"));
    }

    @Test
    void the_live_heap_of_a_running_jvm_grows_with_what_it_keeps() throws Exception {
        Jcmd jcmd = new Jcmd(Path.of(ProcessHandle.current().info().command().orElseThrow()));
        long pid = ProcessHandle.current().pid();
        long before = jcmd.liveHeapBytes(pid);
        byte[][] kept = new byte[64][];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = new byte[1 << 20];
        }
        long with = jcmd.liveHeapBytes(pid);
        assertTrue(with - before >= 60L << 20, "64 MB kept, heap " + before + " -> " + with);
        assertEquals(64, kept.length);
    }
}
