package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the console tests find util-linux script, and what they say when it is missing. */
class ScriptPtyTest {

    @TempDir
    Path dir;

    @Test
    void script_counts_as_available_only_when_an_executable_of_that_name_is_on_the_path() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(plain.resolve("script"), "not executable");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("script"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin.resolve("script"), PosixFilePermissions.fromString("rwxr-xr-x"));

        assertFalse(ScriptPty.availableOn(empty + ":" + plain));
        assertFalse(ScriptPty.availableOn(""));
        assertTrue(ScriptPty.availableOn(empty + "::" + bin));
    }

    @Test
    void the_failure_without_script_names_the_package_and_that_ci_installs_it() {
        assertTrue(ScriptPty.MISSING.contains("bsdutils"), ScriptPty.MISSING);
        assertTrue(ScriptPty.MISSING.contains("apt-get install bsdutils"), ScriptPty.MISSING);
        assertTrue(ScriptPty.MISSING.contains(".ci/run installs it"), ScriptPty.MISSING);
    }
}
