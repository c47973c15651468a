package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins run in their own modules: they see the JDK, the plugin API, MicroProfile Config and their own
 * jars. Two folder plugins bundle different versions of one library class. A plugin that reaches past its
 * module (the system class loader) finds only what a worker needs, not the proxy's libraries.
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

    @Test
    void a_plugin_that_asks_the_system_class_loader_for_the_proxy_s_libraries_gets_class_not_found(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home)
                .folderPlugin("isolation-one", "isolation-one", "shared-lib-1")
                .set("burst.group.default.workers", "1")
                .start();
             BoxClient box = burst.box()) {
            BoxClient.Reply reply = box.call(35, 1, String.join("\n", List.of(
                    "io.helidon.webserver.WebServer",
                    "io.helidon.http.Status",
                    "com.fasterxml.jackson.databind.ObjectMapper",
                    "com.fasterxml.jackson.core.JsonFactory",
                    "org.jline.reader.LineReader",
                    "dev.burst.ctl.Burstctl")));

            assertEquals(0, reply.ret());
            assertEquals(List.of(
                    "io.helidon.webserver.WebServer: ClassNotFoundException",
                    "io.helidon.http.Status: ClassNotFoundException",
                    "com.fasterxml.jackson.databind.ObjectMapper: ClassNotFoundException",
                    "com.fasterxml.jackson.core.JsonFactory: ClassNotFoundException",
                    "org.jline.reader.LineReader: ClassNotFoundException",
                    "dev.burst.ctl.Burstctl: ClassNotFoundException"), reply.text().lines().toList(),
                    "the worker's class path holds no web server, HTTP, Jackson, jline or burstctl");
            assertEquals("1", box.call(31, 2, "").text(), "and the worker serves");
        }
    }
}
