package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path of a plugin author who has only the distribution, as {@code sdk/README.md} (burst's
 * {@code plugins/README.md}) walks it: install the API from {@code sdk/} with the very command the README
 * shows, copy {@code sdk/template} into an empty folder, build it with Maven, drop the jar into
 * {@code plugins/} of a running burst, reload, and call the template's cmd over HTTP.
 *
 * <p>Maven is this repository's {@code mvnw} ({@code burst.it.mvnw}), run as a child process for at most
 * five minutes a step, offline when the build running this test is ({@code burst.it.maven-mode}). The README
 * installs the API into the author's local Maven repository; here that repository is a fresh one in the
 * test's temporary folder, reading what it lacks (Maven's plugins, the MicroProfile Config API) from the
 * machine's ({@code burst.it.maven-repository}, as Maven's {@code maven.repo.local.tail}). So the test never
 * writes this checkout's snapshot of the API into {@code ~/.m2}, where other builds on the machine would
 * pick it up, and it checks that the README's command put the API where the template's build finds it.
 *
 * <p>Threads: JUnit's; Maven and burst are processes it starts and stops.
 */
class PluginAuthorIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MAVEN_MINUTES = 5;
    private static final Path MVNW = Path.of(System.getProperty("burst.it.mvnw", "../mvnw"));
    private static final Path MACHINE_REPOSITORY = Path.of(System.getProperty("burst.it.maven-repository",
            System.getProperty("user.home") + "/.m2/repository"));
    private static final boolean OFFLINE = System.getProperty("burst.it.maven-mode", "offline=true")
            .equals("offline=true");

    /** The README's install command: {@code mvn <install plugin>:install-file -Dfile=... -DpomFile=...}. */
    private static final Pattern INSTALL = Pattern.compile("(?m)^mvn (org\\.apache\\.maven\\.plugins:"
            + "maven-install-plugin:[^ ]+:install-file(?: +\\\\\\n)?(?: +-D\\S+)+)");

    @Test
    void a_plugin_built_from_the_sdk_template_in_an_empty_folder_serves_its_cmd_after_a_reload(@TempDir Path dir)
            throws Exception {
        Path sdk = Burst.DIST.resolve("sdk");
        Path repository = dir.resolve("m2");
        String version = apiVersion(sdk);

        List<String> install = installCommand(Files.readString(sdk.resolve("README.md")));
        maven(Burst.DIST, repository, dir.resolve("install.log"), install);
        Path installed = repository.resolve("dev/burst/burst-plugin-api/" + version);
        for (String ext : new String[] {".jar", ".pom"}) {
            String file = "burst-plugin-api-" + version + ext;
            assertTrue(Files.isRegularFile(installed.resolve(file)), "the README's command installed " + file);
        }

        Path author = Files.createDirectory(dir.resolve("author"));
        Path project = author.resolve("my-plugin");
        copy(sdk.resolve("template"), project);
        assertTrue(Files.readString(project.resolve("pom.xml"))
                .contains("<burst.version>" + version + "</burst.version>"),
                "plugins/template/pom.xml names the API of this burst, " + version);
        maven(author, repository, dir.resolve("package.log"),
                List.of("-f", project.resolve("pom.xml").toString(), "package"));
        Path jar = project.resolve("target/my-plugin.jar");
        assertTrue(Files.isRegularFile(jar), "mvn package built " + jar);

        Path home = dir.resolve("burst");
        try (Burst burst = Burst.in(home).plugin("hello")
                .set("burst.group.default.workers", "1")
                .set("burst.plugin.my-plugin.greeting", "Hi")
                .start()) {
            burst.awaitWorkers(1, WAIT);
            assertEquals(404, burst.post("count", "Ann").statusCode(), "no cmd count before the plugin is dropped in");

            Files.copy(jar, home.resolve("plugins/my-plugin.jar"));
            String outcome = burst.reload();
            assertTrue(outcome.contains("generation 2 serving on 1 worker(s)"), outcome);

            assertEquals("Hi, Ann! You are request 1 on worker default#1.", text(burst.post("count", "Ann"), 200, "0"));
            assertEquals("send a name as the request body", text(burst.post("count", ""), 200, "1"),
                    "the @Before hook answers a request without a name");
            assertEquals("Hi, Bob! You are request 2 on worker default#1.", text(burst.post("1000", "Bob"), 200, "0"),
                    "the cmd answers by its id too, and the hook kept the nameless request from the handler");
            assertEquals("through hello", text(burst.post("1", "through hello"), 200, "0"),
                    "the plugins already there serve on");
        }
    }

    /** @return the version of the one API jar in sdk/, whose pom must be beside it */
    private static String apiVersion(Path sdk) throws IOException {
        List<String> jars;
        try (Stream<Path> s = Files.list(sdk)) {
            jars = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("burst-plugin-api-") && n.endsWith(".jar")).toList();
        }
        assertEquals(1, jars.size(), "one API jar in " + sdk + ": " + jars);
        String jar = jars.getFirst();
        String version = jar.substring("burst-plugin-api-".length(), jar.length() - ".jar".length());
        assertTrue(Files.isRegularFile(sdk.resolve("burst-plugin-api-" + version + ".pom")),
                "the API's pom is in sdk/");
        return version;
    }

    /** @return the arguments of the README's install command, its line continuation undone, without "mvn" */
    private static List<String> installCommand(String readme) {
        Matcher m = INSTALL.matcher(readme);
        if (!m.find()) {
            fail("sdk/README.md shows no 'mvn org.apache.maven.plugins:maven-install-plugin:...:install-file'"
                    + " command:\n" + readme);
        }
        return Arrays.asList(m.group(1).replace("\\\n", " ").trim().split(" +"));
    }

    private static String text(HttpResponse<byte[]> response, int status, String ret) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), body);
        assertEquals(ret, response.headers().firstValue("Burst-Ret").orElse("none"), body);
        return body;
    }

    private static void copy(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.toList();
        }
        for (Path p : all) {
            Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    /**
     * Runs the repository's mvnw in a folder, in batch mode, with the test's own local repository in front
     * of the machine's; fails with Maven's output when it fails or runs past {@link #MAVEN_MINUTES}.
     */
    private static void maven(Path in, Path repository, Path log, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(MVNW.toAbsolutePath().toString(), "-B"));
        if (OFFLINE) {
            cmd.add("-o");
        }
        cmd.add("-Dmaven.repo.local=" + repository);
        cmd.add("-Dmaven.repo.local.tail=" + MACHINE_REPOSITORY);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(MAVEN_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            fail(String.join(" ", cmd) + " ran longer than " + MAVEN_MINUTES + " minutes:\n" + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + Files.readString(log));
        }
    }
}
