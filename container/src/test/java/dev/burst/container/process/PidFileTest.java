package dev.burst.container.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    private long self() {
        return ProcessHandle.current().pid();
    }

    @Test
    void claiming_writes_this_process_s_pid_and_releasing_removes_it() throws Exception {
        Path file = dir.resolve("master.pid");

        PidFile pid = PidFile.claim(file);

        assertEquals(self() + "\n", Files.readString(file));
        pid.release();
        assertFalse(Files.exists(file));
    }

    @Test
    void a_file_held_by_another_live_process_is_refused_naming_it() throws Exception {
        Path file = dir.resolve("master.pid");
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(file, other.pid() + "\n");

            PidFile.HeldException e = assertThrows(PidFile.HeldException.class, () -> PidFile.claim(file));

            assertEquals(other.pid(), e.holder());
            assertTrue(e.getMessage().contains("pid " + other.pid()) && e.getMessage().contains(file.toString()),
                    e.getMessage());
            assertEquals(other.pid() + "\n", Files.readString(file), "the holder's file is left alone");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void a_file_left_by_a_dead_process_or_holding_no_pid_is_taken_over() throws Exception {
        Path file = dir.resolve("master.pid");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(file, dead.pid() + "\n");
        PidFile.claim(file);
        assertEquals(self() + "\n", Files.readString(file));

        Files.writeString(file, "garbage\u00ff");
        PidFile.claim(file);
        assertEquals(self() + "\n", Files.readString(file));
    }

    @Test
    void releasing_leaves_a_file_that_names_another_process_alone() throws Exception {
        Path file = dir.resolve("master.pid");
        PidFile pid = PidFile.claim(file);
        Files.writeString(file, "1\n");

        pid.release();

        assertEquals("1\n", Files.readString(file));
    }
}
