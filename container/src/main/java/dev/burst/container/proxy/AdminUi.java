package dev.burst.container.proxy;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The dashboard on the admin listener: {@code GET /admin/ui} (the page) and {@code /admin/ui/<file>} (its
 * script and style, and uPlot's from its webjar), served from the proxy's class path. No token: these
 * files hold no data; the page asks for the token and sends it with every call it makes. A fixed list
 * of files, read once; anything else under {@code /admin/ui/} is 404.
 *
 * <p>Every answer forbids framing, sniffing and referrers, and the page's Content-Security-Policy lets it
 * load scripts, styles and data from the admin listener only: no inline script, nothing from elsewhere.
 *
 * <p>Threads: built on the proxy's main thread; serves on Helidon's request threads (read-only).
 */
final class AdminUi {

    private static final System.Logger LOG = System.getLogger(AdminUi.class.getName());
    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName NOSNIFF = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName FRAMES = HeaderNames.create("X-Frame-Options");
    private static final HeaderName REFERRER = HeaderNames.create("Referrer-Policy");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String UPLOT = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";

    /** A file of the page: its type and bytes, or why it is missing from the class path. */
    private record File(String type, Optional<byte[]> bytes, String resource) {
    }

    private final Map<String, File> files = new LinkedHashMap<>();

    AdminUi() {
        ClassLoader loader = AdminUi.class.getClassLoader();
        String own = AdminUi.class.getPackageName().replace('.', '/') + "/ui/";
        files.put("", file("text/html; charset=utf-8", loader, own + "index.html"));
        files.put("dashboard.js", file(JS, loader, own + "dashboard.js"));
        files.put("dashboard.css", file(CSS, loader, own + "dashboard.css"));
        String uplot = "META-INF/resources/webjars/uplot/" + webjarVersion(loader) + "/dist/";
        files.put("uPlot.iife.min.js", file(JS, loader, uplot + "uPlot.iife.min.js"));
        files.put("uPlot.min.css", file(CSS, loader, uplot + "uPlot.min.css"));
        files.forEach((name, f) -> {
            if (f.bytes().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "the dashboard's " + f.resource() + " is not on the class path:"
                        + " /admin/ui" + (name.isEmpty() ? "" : "/" + name) + " answers 500");
            }
        });
    }

    void routing(HttpRouting.Builder r) {
        r.get("/admin/ui", (req, res) -> send(res, files.get("")));
        r.get("/admin/ui/", (req, res) -> send(res, files.get("")));
        r.get("/admin/ui/{file}", this::file);
    }

    private void file(ServerRequest req, ServerResponse res) {
        File f = files.get(req.path().pathParameters().get("file"));
        if (f == null) {
            AdminApi.json(res, Status.NOT_FOUND_404, AdminApi.error("no such file of the dashboard: " + req.path().path()));
            return;
        }
        send(res, f);
    }

    private static void send(ServerResponse res, File f) {
        res.header(NOSNIFF, "nosniff");
        res.header(FRAMES, "DENY");
        res.header(REFERRER, "no-referrer");
        if (f.bytes().isEmpty()) {
            AdminApi.json(res, Status.INTERNAL_SERVER_ERROR_500, AdminApi.error("the dashboard's " + f.resource()
                    + " is missing from the proxy's class path (a broken installation: lib/ is incomplete)"));
            return;
        }
        res.header(CSP, POLICY);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.CONTENT_TYPE, f.type());
        res.send(f.bytes().get());
    }

    private static File file(String type, ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return new File(type, in == null ? Optional.empty() : Optional.of(in.readAllBytes()), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the class path", e);
        }
    }

    /** uPlot's version, from its webjar's Maven properties, so that an upgrade needs no change here. */
    private static String webjarVersion(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT + " from the class path", e);
        }
        return p.getProperty("version", "missing");
    }
}
