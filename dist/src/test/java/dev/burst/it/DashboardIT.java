package dev.burst.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard ({@code /admin/ui}) in a real browser: Debian's chromium, headless, driven through its
 * chromium-driver by Selenium, against a real burst. The browser and driver are the machine's
 * ({@code /usr/bin/chromium}, {@code chromedriver} on the PATH; {@code .ci/run} installs both), so
 * Selenium Manager downloads nothing.
 */
class DashboardIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The ok series' colour in the throughput chart (dashboard.js). */
    private static final int[] OK_GREEN = {0x1a, 0x98, 0x50};

    /** A headless chromium with a window the size of a laptop screen; quit by the test. */
    private static WebDriver browser() {
        Path driver = onPath("chromedriver").orElseThrow(() -> new AssertionError(
                "no chromedriver on the PATH: DashboardIT needs Debian's chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver; .ci/run installs them)"));
        assertTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + ": apt-get install chromium chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // root in a container has no user namespace for chromium's sandbox
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        return new ChromeDriver(service, options);
    }

    private static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String page(Burst burst) {
        return "http://127.0.0.1:" + burst.adminPort + "/admin/ui";
    }

    /** The link burstctl ui prints: the token in the fragment, which the browser never sends. */
    private static String link(Burst burst) throws IOException {
        return page(burst) + "#token=" + burst.token();
    }

    private static <T> T waitFor(WebDriver driver, String what, Function<WebDriver, T> condition) {
        try {
            // the page rebuilds its tables every second: an element found a moment ago may be gone
            return new WebDriverWait(driver, WAIT).withMessage(what).ignoring(StaleElementReferenceException.class)
                    .until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("never happened within " + WAIT + ": " + what + "\npage:\n"
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private static boolean shown(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).isDisplayed();
    }

    private static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Clicks a button that asks first, and answers the confirmation. */
    private static void clickAndAnswer(WebDriver driver, WebElement button, boolean accept) {
        button.click();
        Alert alert = new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
        if (accept) {
            alert.accept();
        } else {
            alert.dismiss();
        }
    }

    /** A number as the page formats it: 12, 0.5, 1.25k, 3.1M. */
    static double number(String text) {
        Matcher m = Pattern.compile("([0-9.]+)([kMG]?)").matcher(text.trim());
        if (!m.lookingAt()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "k" -> v * 1e3;
            case "M" -> v * 1e6;
            case "G" -> v * 1e9;
            default -> v;
        };
    }

    /** The workers table's rows, cell texts, read at once (the page rebuilds it every second). */
    @SuppressWarnings("unchecked")
    private static List<List<String>> workerRows(WebDriver driver) {
        return (List<List<String>>) js(driver, "return Array.from(document.querySelectorAll('#workers-table tbody tr'))"
                + ".map(tr => Array.from(tr.cells).map(td => td.textContent))");
    }

    /** The pids of the workers table (its third column). */
    private static List<Long> pidsShown(WebDriver driver) {
        return workerRows(driver).stream().map(r -> Long.parseLong(r.get(2))).sorted().toList();
    }

    /** Whether every worker in the table is READY on this generation. */
    private static boolean allReadyOn(WebDriver driver, int generation) {
        List<List<String>> rows = workerRows(driver);
        return !rows.isEmpty() && rows.stream().allMatch(r -> r.get(3).equals("READY")
                && r.get(4).equals(Integer.toString(generation)));
    }

    /** The text of the operations table's row of an operation, or null while it has none. */
    private static String operationRow(WebDriver driver, long id) {
        return (String) js(driver, "const tr = document.querySelector(\"#operations-table tr[data-operation='\" + arguments[0]"
                + " + \"']\"); return tr ? tr.textContent : null;", Long.toString(id));
    }

    /**
     * How many pixel rows of the throughput chart hold the ok series' green: a line flat at zero covers two
     * or three, a line that rose under load many more.
     */
    private static long greenRows(WebDriver driver) {
        Object rows = js(driver, """
                const c = document.querySelector('#chart-throughput canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const [r, g, b] = arguments[0];
                let rows = 0;
                for (let y = 0; y < c.height; y++) {
                  for (let x = 0; x < c.width; x++) {
                    const i = (y * c.width + x) * 4;
                    if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40
                        && d[i + 3] > 128) {
                      rows++;
                      break;
                    }
                  }
                }
                return rows;""", List.of(OK_GREEN[0], OK_GREEN[1], OK_GREEN[2]));
        return ((Number) rows).longValue();
    }

    private static JsonNode history(Burst burst) throws IOException, InterruptedException {
        HttpResponse<String> r = burst.admin("GET", "/admin/stat/history", null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static long sum(JsonNode history, String field) {
        long n = 0;
        for (JsonNode s : history.get("samples")) {
            n += s.get(field).asLong();
        }
        return n;
    }

    @Test
    void the_page_needs_no_token_but_its_data_does_and_a_wrong_token_is_refused_with_a_message(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            // the page and its files: no token, no data, a policy that loads nothing from elsewhere
            for (String file : List.of("", "/dashboard.js", "/dashboard.css", "/uPlot.iife.min.js", "/uPlot.min.css")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(page(burst) + file)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), file);
                assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
                assertFalse(r.body().contains(burst.token()), "the token is in no file of the page");
            }
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(page(burst) + "/admin.token")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(401, burst.admin("GET", "/admin/stat/history", null, Optional.empty()).statusCode());
            assertEquals(400, burst.admin("GET", "/admin/stat/history?since=yesterday", null).statusCode());

            WebDriver driver = browser();
            try {
                driver.get(page(burst));
                waitFor(driver, "the page asks for the token", d -> shown(d, "login"));
                assertFalse(shown(driver, "dashboard"));

                driver.findElement(By.id("token-input")).sendKeys("not-the-token");
                driver.findElement(By.id("token-submit")).click();
                String refusal = waitFor(driver, "a message about the wrong token", d -> {
                    String m = text(d, "token-message");
                    return m.isEmpty() ? null : m;
                });
                assertTrue(refusal.contains("refused") && refusal.contains("401"), refusal);
                assertFalse(shown(driver, "dashboard"));

                driver.findElement(By.id("token-input")).sendKeys(burst.token());
                driver.findElement(By.id("token-submit")).click();
                waitFor(driver, "the dashboard opens with the right token", d -> shown(d, "dashboard"));
                waitFor(driver, "the workers table lists the real pids", d -> pidsShown(d).equals(burst.workerPids()));
                assertEquals("1", text(driver, "generation"));
                assertEquals(burst.token(), js(driver, "return sessionStorage.getItem('burst.admin.token')"),
                        "kept for this tab");

                driver.navigate().refresh();
                waitFor(driver, "a reloaded page opens without asking again", d -> shown(d, "dashboard"));

                driver.findElement(By.id("forget-token")).click();
                waitFor(driver, "forgetting the token asks for it again", d -> shown(d, "login"));
                assertEquals(null, js(driver, "return sessionStorage.getItem('burst.admin.token')"));

                driver.get(link(burst));
                waitFor(driver, "the link of burstctl ui opens the dashboard", d -> shown(d, "dashboard"));
                assertFalse(driver.getCurrentUrl().contains("token"), "the token leaves the address bar at once: "
                        + driver.getCurrentUrl());
            } finally {
                driver.quit();
            }
            assertFalse(burst.log().contains(burst.token()), "the token is never logged");
        }
    }

    @Test
    void under_load_the_numbers_and_the_chart_move_and_the_workers_table_lists_the_real_pids(@TempDir Path home)
            throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("fail").start()) {
            WebDriver driver = browser();
            try {
                driver.get(link(burst));
                waitFor(driver, "the chart has samples", d -> number(d.findElement(By.id("chart-throughput"))
                        .getDomAttribute("data-points") + "") >= 2);
                long idleRows = greenRows(driver);
                assertTrue(idleRows <= 4, "idle, the ok line lies flat at zero: " + idleRows + " rows");
                assertEquals("0", text(driver, "rate-total"));

                long handlerErrors = 0;
                try (Load load = new Load(burst, 4, 1, "dashboard", Set.of(), 50_000)) {
                    waitFor(driver, "the answered-per-second number moves",
                            d -> number(text(d, "rate-total")) > 0 ? true : null);
                    waitFor(driver, "the ok line rises", d -> greenRows(d) >= 12 ? true : null);
                    for (int i = 0; i < 5; i++) {
                        assertEquals(500, burst.post("11", "").statusCode());
                        handlerErrors++;
                    }
                    waitFor(driver, "the handler errors show", d -> number(text(d, "rate-errors")) > 0 ? true : null);
                    assertTrue(Double.parseDouble(driver.findElement(By.id("chart-throughput"))
                            .getDomAttribute("data-last")) > 0, "the newest plotted second has answers");
                    assertEquals(burst.workerPids(), pidsShown(driver));
                    assertTrue(text(driver, "p99").endsWith("ms") || text(driver, "p99").endsWith(" s"),
                            text(driver, "p99"));
                    waitFor(driver, "cmd 1 is among the busiest", d -> !d.findElements(By.cssSelector(
                            "#cmds-table tbody tr[data-cmd='1']")).isEmpty());
                    screenshot(driver, Path.of("target", "dashboard-under-load.png"));
                    load.close();
                    assertEquals(List.of(), load.failures());

                    // every answer is in exactly one second of the history, by its outcome
                    long ok = load.ok();
                    long errors = handlerErrors;
                    burst.await(() -> {
                        try {
                            JsonNode h = history(burst);
                            return sum(h, "ok") == ok && sum(h, "handler_error") == errors;
                        } catch (IOException | InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }, "the history's seconds add up to " + ok + " ok and " + errors + " handler errors", WAIT);
                    JsonNode h = history(burst);
                    assertEquals(0, sum(h, "rejected") + sum(h, "timed_out") + sum(h, "lost"));
                    assertTrue(h.get("samples").size() <= 900);
                }
            } finally {
                driver.quit();
            }
        }
    }

    /** The whole page, at laptop width, as PNG. */
    private static void screenshot(WebDriver driver, Path file) throws IOException {
        Number height = (Number) js(driver, "return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(1440, Math.max(900, height.intValue() + 120)));
        Burst.pause(1500); // the charts take the new width on the window's resize
        Files.createDirectories(file.getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(new Dimension(1440, 900));
    }

    @Test
    void reload_from_the_page_shows_the_new_generation_and_a_broken_plugins_reload_shows_why_it_was_refused(
            @TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            WebDriver driver = browser();
            try {
                driver.get(link(burst));
                waitFor(driver, "the dashboard is live", d -> text(d, "status").equals("live") ? true : null);

                clickAndAnswer(driver, driver.findElement(By.id("btn-reload")), false);
                Burst.pause(1500);
                assertTrue(burst.operations().stream().noneMatch(o -> o.get("kind").asText().equals("reload_workers")),
                        "a reload the operator did not confirm is not asked for");

                burst.deploy("hello-v2", "hello");
                clickAndAnswer(driver, driver.findElement(By.id("btn-reload")), true);
                String done = waitFor(driver, "the reload's outcome", d -> {
                    String r = text(d, "action-result");
                    return r.contains("done") ? r : null;
                });
                assertTrue(done.contains("generation 2 serving"), done);
                waitFor(driver, "the header shows generation 2", d -> text(d, "generation").equals("2"));
                waitFor(driver, "the plugin table shows generation 2", d -> text(d, "plugins-generation").equals("2"));
                waitFor(driver, "the workers run generation 2", d -> allReadyOn(d, 2));
                JsonNode reload = burst.awaitOperation("reload_workers", 1, WAIT);
                String row = waitFor(driver, "the operation is listed", d -> operationRow(d, reload.get("id").asLong()));
                assertTrue(row.contains("reload_workers") && row.contains("done"), row);
                waitFor(driver, "the reload is marked on the charts", d -> number(d.findElement(By.id("chart-throughput"))
                        .getDomAttribute("data-marks") + "") >= 1);

                burst.deploy("broken-start", "broken-start");
                clickAndAnswer(driver, driver.findElement(By.id("btn-reload")), true);
                String failed = waitFor(driver, "the broken reload's outcome", d -> {
                    String r = text(d, "action-result");
                    return r.contains("failed") ? r : null;
                });
                assertTrue(failed.contains("broken-start refuses to start"), "the reason: " + failed);
                assertTrue(failed.contains("generation 2 still serving"), failed);
                assertEquals("2", text(driver, "generation"));
                JsonNode refused = burst.awaitOperation("reload_workers", 2, WAIT);
                assertEquals("failed", refused.get("state").asText());
                String failedRow = waitFor(driver, "the failed reload is listed",
                        d -> operationRow(d, refused.get("id").asLong()));
                assertTrue(failedRow.contains("failed") && failedRow.contains("broken-start"), failedRow);
                assertEquals("Hello again from burst!", new String(burst.post("2", "").body(),
                        java.nio.charset.StandardCharsets.UTF_8), "generation 2 still serves");
            } finally {
                driver.quit();
            }
        }
    }

    @Test
    void restart_resize_and_clear_from_the_page_show_their_outcomes(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").plugin("slow")
                .set("burst.group.default.queue-timeout", "PT60S").start()) {
            WebDriver driver = browser();
            try {
                driver.get(link(burst));
                waitFor(driver, "the dashboard is live", d -> text(d, "status").equals("live") ? true : null);
                List<Long> before = burst.workerPids();

                clickAndAnswer(driver, driver.findElement(By.id("btn-restart")), true);
                String restarted = waitFor(driver, "the restart's outcome", d -> {
                    String r = text(d, "action-result");
                    return r.contains("restart_workers #") && !r.contains("running") ? r : null;
                });
                assertTrue(restarted.contains(": done"), restarted);
                waitFor(driver, "the workers table lists the new pids", d -> {
                    List<Long> shown = pidsShown(d);
                    return shown.size() == 2 && shown.stream().noneMatch(before::contains)
                            && shown.equals(burst.workerPids());
                });

                WebElement size = driver.findElement(By.cssSelector("#groups-table tr[data-group='default'] .group-size"));
                size.clear();
                size.sendKeys("3");
                clickAndAnswer(driver, driver.findElement(By.cssSelector(
                        "#groups-table tr[data-group='default'] .btn-resize")), true);
                String resized = waitFor(driver, "the resize's outcome", d -> {
                    String r = text(d, "action-result");
                    return r.contains("change_group #") && !r.contains("running") ? r : null;
                });
                assertTrue(resized.contains(": done"), resized);
                // change_group is done once the master has its new size; the new worker boots after
                waitFor(driver, "the workers table lists three ready workers", d -> pidsShown(d).size() == 3
                        && pidsShown(d).equals(burst.workerPids()) && allReadyOn(d, 1));
                assertEquals("3 / 0 / 3", driver.findElement(By.cssSelector(
                        "#groups-table tr[data-group='default'] td:nth-child(2)")).getText(), "ready / busy / idle");

                // three slow tasks hold the three workers; five more wait in the queue (queue-timeout is 60 s)
                List<CompletableFuture<Integer>> answers = new ArrayList<>();
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
                for (int i = 0; i < 8; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return burst.post("10", "8000").statusCode();
                        } catch (IOException | InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }, clients));
                }
                burst.await(() -> {
                    try {
                        return burst.stat().get("pending_tasks").asInt() == 5;
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }, "five tasks queued", WAIT);
                clickAndAnswer(driver, driver.findElement(By.cssSelector(
                        "#groups-table tr[data-group='default'] .btn-clear")), true);
                String cleared = waitFor(driver, "the clear's outcome", d -> {
                    String r = text(d, "action-result");
                    return r.startsWith("clear default") ? r : null;
                });
                assertEquals("clear default: 5 queued task(s) answered -10002", cleared);
                List<Integer> statuses = answers.stream().map(CompletableFuture::join).sorted().toList();
                assertEquals(List.of(200, 200, 200, 503, 503, 503, 503, 503), statuses);
                clients.close();
            } finally {
                driver.quit();
            }
        }
    }

    @Test
    void the_history_is_not_kept_across_a_respawn_of_the_proxy(@TempDir Path home) throws Exception {
        try (Burst burst = Burst.in(home).plugin("hello").start()) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, burst.post("1", "x").statusCode());
            }
            burst.await(() -> {
                try {
                    return sum(history(burst), "ok") == 20;
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            }, "the 20 answers are in the history", WAIT);
            long proxy = burst.proxy().pid();
            new ProcessBuilder("kill", "-9", Long.toString(proxy)).inheritIO().start().waitFor();
            Instant killed = Instant.now();
            burst.await(() -> burst.processes("proxy").stream().anyMatch(p -> p.pid() != proxy)
                    && Files.exists(burst.home.resolve("run/ports")) && burst.count("listening: http") >= 2,
                    "the master respawns the proxy, which listens", WAIT);
            burst.rereadPorts();
            burst.await(() -> {
                try {
                    return burst.admin("GET", "/admin/stat/history", null).statusCode() == 200;
                } catch (IOException | InterruptedException e) {
                    return false; // the new proxy's admin listener is not up yet
                }
            }, "the new proxy serves the admin API", WAIT);
            JsonNode h = history(burst);
            assertEquals(0, sum(h, "ok"), "the respawned proxy starts an empty history: " + h);
            for (JsonNode s : h.get("samples")) {
                assertTrue(s.get("t").asLong() >= killed.getEpochSecond(), "no sample from before the respawn: " + s);
            }
            assertNotEquals(proxy, burst.proxy().pid());
        }
    }
}
