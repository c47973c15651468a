package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins run in their own modules: they see the JDK, the plugin API, MicroProfile Config and their own
 * jars. Two folder plugins bundle different versions of one library class.
 */
class IsolationIT {

    @Test
    void each_plugin_sees_its_own_library_version_and_no_container_class(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home)
                .folderPlugin("isolation-one", "isolation-one", "shared-lib-1")
                .folderPlugin("isolation-two", "isolation-two", "shared-lib-2")
                .set("burst.group.default.workers", "1")
                .set("burst.plugin.isolation-one.greeting", "configured through MicroProfile Config")
                .start();
             BoxClient box = burst.box()) {
            assertEquals("1", box.call(31, 1, "").text(), "isolation-one bundles shared-lib 1");
            assertEquals("2", box.call(32, 2, "").text(), "isolation-two bundles shared-lib 2");
            assertEquals("1", box.call(31, 3, "").text(), "and still sees its own after the other ran");

            BoxClient.Reply probe = box.call(33, 4, "");
            assertEquals(0, probe.ret());
            assertEquals("", probe.text(), "container classes visible to plugin code: " + probe.text());

            assertEquals("configured through MicroProfile Config", box.call(34, 5, "").text());
        }
    }
}
