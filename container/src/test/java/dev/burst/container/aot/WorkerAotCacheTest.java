package dev.burst.container.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerAotCacheTest {

    private static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx256m");

    @TempDir
    Path dir;

    private List<String> jars() throws IOException {
        Path a = Files.writeString(dir.resolve("a.jar"), "first");
        Path b = Files.writeString(dir.resolve("b.jar"), "second");
        return List.of(a.toString(), b.toString());
    }

    private WorkerAotCache built(List<String> options, List<String> classpath) throws IOException {
        WorkerAotCache c = new WorkerAotCache(dir.resolve("worker.aot"), options, classpath, 25);
        Files.writeString(c.file(), "a cache");
        c.writeId();
        return c;
    }

    @Test
    void a_cache_built_by_this_jvm_with_these_options_and_jars_is_used() throws IOException {
        WorkerAotCache c = built(OPTIONS, jars());

        WorkerAotCache.Status s = c.check();

        assertTrue(s.usable(), s.why());
        assertEquals(List.of("-XX:AOTCache=" + dir.resolve("worker.aot")), c.jvmOptions());
    }

    @Test
    void a_missing_cache_is_not_used_and_the_reason_says_how_to_build_one() throws IOException {
        WorkerAotCache.Status s = new WorkerAotCache(dir.resolve("worker.aot"), OPTIONS, jars(), 25).check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("does not exist (bin/burst aot builds it)"), s.why());
    }

    @Test
    void a_cache_without_its_id_file_is_not_used() throws IOException {
        WorkerAotCache c = built(OPTIONS, jars());
        Files.delete(c.idFile());

        WorkerAotCache.Status s = c.check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("rebuild with bin/burst aot"), s.why());
    }

    @Test
    void other_worker_jvm_options_make_the_cache_stale_and_the_reason_names_the_key() throws IOException {
        List<String> jars = jars();
        built(OPTIONS, jars);

        WorkerAotCache.Status s = new WorkerAotCache(dir.resolve("worker.aot"), List.of("-XX:+UseG1GC"), jars, 25).check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("built for another burst.worker.jvm-options; rebuild it with bin/burst aot"), s.why());
    }

    @Test
    void a_jar_that_changed_size_makes_the_cache_stale() throws IOException {
        List<String> jars = jars();
        WorkerAotCache c = built(OPTIONS, jars);
        Files.writeString(Path.of(jars.get(1)), "second, upgraded");

        WorkerAotCache.Status s = c.check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("another set of jars"), s.why());
    }

    @Test
    void a_cache_from_another_jvm_is_not_used_and_the_reason_names_this_one() throws IOException {
        WorkerAotCache c = built(OPTIONS, jars());
        String id = Files.readString(c.idFile());
        Files.writeString(c.idFile(), id.replaceFirst("(?m)^jvm=.*$", "jvm=Some Vendor 25.0.0+1"));

        WorkerAotCache.Status s = c.check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("built for another JVM (this is " + System.getProperty("java.vm.vendor")), s.why());
    }

    @Test
    void a_cache_is_in_the_same_place_on_a_copy_elsewhere_because_the_id_names_jars_not_paths() throws IOException {
        List<String> jars = jars();
        built(OPTIONS, jars);
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        for (String j : jars) {
            Files.copy(Path.of(j), elsewhere.resolve(Path.of(j).getFileName()));
        }
        Files.copy(dir.resolve("worker.aot"), elsewhere.resolve("worker.aot"));
        Files.copy(dir.resolve("worker.aot.id"), elsewhere.resolve("worker.aot.id"));
        List<String> moved = jars.stream().map(j -> elsewhere.resolve(Path.of(j).getFileName()).toString()).toList();

        assertTrue(new WorkerAotCache(elsewhere.resolve("worker.aot"), OPTIONS, moved, 25).check().usable());
    }

    @Test
    void before_jdk_25_there_is_no_aot_cache_and_the_reason_says_so() throws IOException {
        List<String> jars = jars();
        built(OPTIONS, jars);

        WorkerAotCache.Status s = new WorkerAotCache(dir.resolve("worker.aot"), OPTIONS, jars, 21).check();

        assertFalse(s.usable());
        assertEquals("an AOT cache needs JDK 25 or newer and this is JDK 21", s.why());
    }

    @Test
    void worker_options_with_their_own_archive_win_over_the_cache() throws IOException {
        List<String> options = List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=run/w.jsa");
        WorkerAotCache c = built(options, jars());

        WorkerAotCache.Status s = c.check();

        assertFalse(s.usable());
        assertTrue(s.why().contains("burst.worker.jvm-options has its own -XX:SharedArchiveFile"), s.why());
    }

    @Test
    void children_get_the_master_s_classpath_sorted_so_every_install_has_one_order() {
        List<String> cp = WorkerAotCache.childClasspath();

        assertEquals(cp.stream().sorted().toList(), cp);
        assertEquals(System.getProperty("java.class.path").split(File.pathSeparator).length, cp.size());
    }

    /** The jars of the distribution's lib/, as the master's sorted classpath has them. */
    private static final List<String> DIST_LIB = Stream.of(
            "burst-container-0.1.0-SNAPSHOT.jar", "burst-ctl-0.1.0-SNAPSHOT.jar", "burst-plugin-api-0.1.0-SNAPSHOT.jar",
            "helidon-4.2.6.jar", "helidon-builder-api-4.2.6.jar", "helidon-common-4.2.6.jar",
            "helidon-common-buffers-4.2.6.jar", "helidon-common-concurrency-limits-4.2.6.jar",
            "helidon-common-config-4.2.6.jar", "helidon-common-configurable-4.2.6.jar", "helidon-common-context-4.2.6.jar",
            "helidon-common-features-4.2.6.jar", "helidon-common-features-api-4.2.6.jar", "helidon-common-key-util-4.2.6.jar",
            "helidon-common-mapper-4.2.6.jar", "helidon-common-media-type-4.2.6.jar", "helidon-common-parameters-4.2.6.jar",
            "helidon-common-resumable-4.2.6.jar", "helidon-common-security-4.2.6.jar", "helidon-common-socket-4.2.6.jar",
            "helidon-common-task-4.2.6.jar", "helidon-common-tls-4.2.6.jar", "helidon-common-types-4.2.6.jar",
            "helidon-common-uri-4.2.6.jar", "helidon-config-4.2.6.jar", "helidon-config-mp-4.2.6.jar",
            "helidon-http-4.2.6.jar", "helidon-http-encoding-4.2.6.jar", "helidon-http-media-4.2.6.jar",
            "helidon-logging-common-4.2.6.jar", "helidon-metadata-hson-4.2.6.jar", "helidon-metrics-api-4.2.6.jar",
            "helidon-service-metadata-4.2.6.jar", "helidon-service-registry-4.2.6.jar", "helidon-webserver-4.2.6.jar",
            "jackson-annotations-2.22.jar", "jackson-core-2.22.4.jar", "jackson-databind-2.22.4.jar",
            "jakarta.annotation-api-2.1.1.jar", "jboss-modules-2.3.0.jar", "jline-3.30.6.jar",
            "microprofile-config-api-3.1.jar").map(j -> "/opt/burst/lib/" + j).toList();

    @Test
    void a_worker_gets_only_the_jars_it_needs_from_lib_in_the_master_s_order() {
        List<String> worker = WorkerAotCache.workerClasspath(DIST_LIB);

        assertEquals(Stream.of(
                "burst-container-0.1.0-SNAPSHOT.jar", "burst-plugin-api-0.1.0-SNAPSHOT.jar",
                "helidon-4.2.6.jar", "helidon-builder-api-4.2.6.jar", "helidon-common-4.2.6.jar",
                "helidon-common-config-4.2.6.jar", "helidon-common-configurable-4.2.6.jar", "helidon-common-context-4.2.6.jar",
                "helidon-common-mapper-4.2.6.jar", "helidon-common-media-type-4.2.6.jar", "helidon-common-types-4.2.6.jar",
                "helidon-config-4.2.6.jar", "helidon-config-mp-4.2.6.jar", "helidon-metadata-hson-4.2.6.jar",
                "helidon-service-metadata-4.2.6.jar", "helidon-service-registry-4.2.6.jar",
                "jakarta.annotation-api-2.1.1.jar", "jboss-modules-2.3.0.jar", "microprofile-config-api-3.1.jar")
                .map(j -> "/opt/burst/lib/" + j).toList(), worker);
        assertTrue(worker.stream().noneMatch(j -> j.contains("webserver") || j.contains("helidon-http")
                || j.contains("jackson") || j.contains("jline") || j.contains("burst-ctl")), worker.toString());
    }

    @Test
    void a_jar_dropped_into_lib_later_stays_off_the_worker_classpath() {
        List<String> cp = Stream.concat(DIST_LIB.stream(), Stream.of("/opt/burst/lib/postgresql-42.7.4.jar")).sorted().toList();

        assertEquals(WorkerAotCache.workerClasspath(DIST_LIB), WorkerAotCache.workerClasspath(cp));
    }

    @Test
    void a_directory_of_classes_stays_on_the_worker_classpath_and_an_unversioned_jar_is_known_by_its_name() {
        List<String> cp = List.of("/src/burst/container/target/classes", "/opt/burst/lib/burst-container.jar",
                "/opt/burst/lib/jline.jar");

        assertEquals(List.of("/src/burst/container/target/classes", "/opt/burst/lib/burst-container.jar"),
                WorkerAotCache.workerClasspath(cp));
    }

    @Test
    void every_library_a_worker_needs_is_one_the_container_depends_on_under_that_name() {
        List<String> testClasspath = WorkerAotCache.childClasspath();

        for (String artifact : WorkerAotCache.WORKER_ARTIFACTS) {
            if (artifact.startsWith("burst-")) {
                continue; // burst's own modules are class directories in a reactor build
            }
            assertEquals(1, WorkerAotCache.workerClasspath(testClasspath).stream()
                    .filter(e -> Path.of(e).getFileName().toString().matches(Pattern.quote(artifact) + "-\\d.*\\.jar"))
                    .count(), artifact + " is on the container's runtime classpath: " + testClasspath);
        }
    }
}
