package dev.burst.container.plugin;

import dev.burst.container.config.GroupConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchCrcTest {
    @TempDir Path tmp;

    @Test
    void probe() throws Exception {
        for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
            Path plugins = Files.createDirectories(tmp.resolve("p" + method));
            Path jar = plugins.resolve("c.jar");
            byte[] data = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-MARKER-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB".getBytes(StandardCharsets.UTF_8);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                ZipEntry s = new ZipEntry(PluginSnapshot.SERVICE_ENTRY);
                out.putNextEntry(s); out.write("a.A\n".getBytes()); out.closeEntry();
                ZipEntry e = new ZipEntry("data.txt");
                e.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32(); crc.update(data);
                    e.setSize(data.length); e.setCompressedSize(data.length); e.setCrc(crc.getValue());
                }
                out.putNextEntry(e); out.write(data); out.closeEntry();
            }
            byte[] b = Files.readAllBytes(jar);
            String s = new String(b, StandardCharsets.ISO_8859_1);
            int i = method == ZipEntry.STORED ? s.indexOf("MARKER") : s.indexOf("data.txt") + 8 + Integer.getInteger("off", 3);
            b[i] ^= Integer.getInteger("mask", 0x01);
            Files.write(jar, b);
            try (java.util.zip.ZipInputStream zin = new java.util.zip.ZipInputStream(Files.newInputStream(jar))) {
                while (zin.getNextEntry() != null) { zin.transferTo(java.io.OutputStream.nullOutputStream()); }
                System.out.println("PROBE method " + method + ": ZipInputStream ok");
            } catch (Exception ex) { System.out.println("PROBE method " + method + ": ZipInputStream says " + ex); }
            try {
                PluginSnapshot.take(plugins, tmp.resolve("cache" + method), 1,
                        List.of(new GroupConfig("default", 1, Set.of(), 10, Duration.ofSeconds(1))));
                System.out.println("PROBE method " + method + ": ACCEPTED corrupt jar");
            } catch (PluginException ex) {
                System.out.println("PROBE method " + method + ": refused: " + ex.getMessage());
            }
        }
    }
}
