package dev.burst.container.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burst.container.master.OperationRecord.Kind;
import dev.burst.container.process.ExitCode;
import dev.burst.container.protocol.WireMessage.GroupHealth;
import dev.burst.container.protocol.WireMessage.Shutdown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group whose plugins cannot start: on a cold start burst fails at once, naming the plugin and its error
 * (burst.start.degraded=fail, the default), or serves the other groups and says the group is degraded
 * (serve): to the proxy (GROUP_HEALTH) and in run/degraded.
 */
class ColdStartTest {

    private static final Role BAD_1 = Role.worker("bad", 1);
    private static final String CAUSE = "plugin broken-start: start() threw java.lang.IllegalStateException: "
            + "broken-start refuses to start";

    @TempDir
    Path home;

    private Harness burst(String degraded) {
        Harness h = Harness.of(home, "burst.groups", "good,bad", "burst.group.good.workers", "1",
                "burst.group.bad.workers", "1", "burst.worker.boot-retries", "2", "burst.start.degraded", degraded);
        h.begin();
        h.proxyUp();
        h.ready(h.last(Role.worker("good", 1)));
        return h;
    }

    /** The bad group's worker answers LOAD_FAILED (relayed by the proxy), then exits with the boot-error code. */
    private void failsToBoot(Harness h) {
        FakeChild bad = h.last(BAD_1);
        h.handle(new Event.BootFailed("bad", 1, bad.pid(), 1, CAUSE));
        h.exited(bad, ExitCode.BOOT_ERROR);
        h.fire(Event.BackoffOver.class);
    }

    @Test
    void a_cold_start_whose_group_cannot_boot_stops_at_once_naming_the_group_the_plugin_and_its_error() {
        Harness h = burst("fail");
        try (LogCapture log = new LogCapture()) {
            failsToBoot(h);
            failsToBoot(h);

            String line = log.lines("burst cannot start").getFirst();
            assertTrue(line.contains("group bad cannot boot") && line.contains(CAUSE), line);
            assertEquals(Level.SEVERE, log.level("burst cannot start"));
        }
        assertEquals(ExitCode.BOOT_ERROR.code(), h.master.exitCode());
        assertEquals(List.of(new Shutdown(true)), h.link.sent(Shutdown.class), "a fast stop: nothing was served");
        assertTrue(h.last(Role.worker("good", 1)).killed());
        assertEquals(2, h.count(BAD_1), "not respawned after the second failure");
        h.exited(h.proxy(), ExitCode.OK);
        h.exited(h.last(Role.worker("good", 1)), 128 + 9);
        assertTrue(h.master.finished());
        h.master.closeRecords();
        assertEquals(Kind.STOP, h.lastOperation().kind());
        assertTrue(h.lastOperation().outcome().contains("exit 3: group bad cannot boot: " + CAUSE),
                h.lastOperation().outcome());
    }

    @Test
    void with_start_degraded_serve_the_group_is_degraded_and_the_proxy_and_run_degraded_say_why() throws Exception {
        Harness h = burst("serve");

        failsToBoot(h);
        failsToBoot(h);

        assertEquals(ExitCode.OK.code(), h.master.exitCode());
        assertTrue(h.last(Role.worker("good", 1)).untouched());
        GroupHealth health = h.link.sent(GroupHealth.class).getFirst();
        assertEquals("bad", health.group());
        assertTrue(health.degraded());
        assertTrue(health.reason().contains("worker bad#1 failed to boot 2 times in a row: " + CAUSE), health.reason());
        String file = Files.readString(home.resolve("run/degraded"));
        assertTrue(file.startsWith("bad: worker bad#1 failed to boot 2 times in a row: "), file);
    }

    @Test
    void a_degraded_group_is_healthy_again_once_a_reload_succeeded_and_its_worker_is_ready() {
        Harness h = burst("serve");
        failsToBoot(h);
        failsToBoot(h);

        h.signal("HUP");
        h.handle(new Event.ReloadDone(h.lastOperation().id(), true, 2, 2, "generation 2 serving", List.of()));
        assertEquals(1, h.link.sent(GroupHealth.class).size(), "still degraded while the retried worker boots");
        h.ready(h.last(BAD_1));

        assertEquals(new GroupHealth("bad", false, ""), h.link.sent(GroupHealth.class).getLast());
        assertFalse(Files.exists(home.resolve("run/degraded")));
    }

    @Test
    void a_group_that_cannot_boot_after_burst_served_is_degraded_whatever_start_degraded_says() {
        Harness h = burst("fail");
        h.handle(new Event.ProxyListening(8080, 9900));

        failsToBoot(h);
        failsToBoot(h);

        assertEquals(ExitCode.OK.code(), h.master.exitCode());
        assertTrue(h.link.sent(GroupHealth.class).getFirst().degraded());
    }

    @Test
    void a_proxy_that_connects_is_told_which_groups_are_degraded() {
        Harness h = burst("serve");
        failsToBoot(h);
        failsToBoot(h);
        h.link.sent.clear();

        h.handle(new Event.ProxyConnected(h.proxy().pid()));

        assertEquals(List.of("bad"), h.link.sent(GroupHealth.class).stream().map(GroupHealth::group).toList());
    }
}
