package dev.burst.ctl;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the admin API of a burst is and how to authenticate: from the options, the environment, or the run
 * directory of a local burst ({@code ports} and {@code admin.token}).
 *
 * @param base  the admin base URL, like {@code http://127.0.0.1:9910}
 * @param token the bearer token, when one was found
 */
record Endpoint(URI base, Optional<String> token) {

    /** Finds the endpoint for each call, so a console outlives restarts of burst (new port, new token). */
    @FunctionalInterface
    interface Source {
        Endpoint find() throws UnreachableException;
    }

    /** The environment variable of the server's {@code burst.admin.token}, read by burstctl too. */
    static final String TOKEN_ENV = "BURST_ADMIN_TOKEN";
    /** The run directory when neither {@code --run-dir} nor {@code --url} is given: run/ under the cwd. */
    static final Path DEFAULT_RUN_DIR = Path.of("run");

    /**
     * The URL is {@code --url}, else the run directory's admin port on loopback. The token is {@code --token},
     * else {@value #TOKEN_ENV}, else the run directory's {@code admin.token}. The run directory is read only
     * when {@code --run-dir} is given or {@code --url} is not: a URL names some other burst.
     */
    static Endpoint resolve(Options options, Map<String, String> env) throws UnreachableException {
        boolean local = options.runDir().isPresent() || options.url().isEmpty();
        Path runDir = options.runDir().orElse(DEFAULT_RUN_DIR);
        URI base = options.url().isPresent() ? options.url().get()
                : URI.create("http://127.0.0.1:" + adminPort(runDir));
        Optional<String> token = options.token()
                .or(() -> Optional.ofNullable(env.get(TOKEN_ENV)).filter(t -> !t.isBlank()));
        if (token.isEmpty() && local) {
            token = tokenFile(runDir);
        }
        return new Endpoint(base, token);
    }

    /** @return the {@code admin=} port of the run directory's {@code ports} file */
    static int adminPort(Path runDir) throws UnreachableException {
        Path ports = runDir.resolve("ports");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ports)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new UnreachableException("no running burst found: " + ports + " does not exist"
                    + " (is burst running? pass --run-dir DIR or --url URL)");
        } catch (IOException e) {
            throw new UnreachableException("cannot read " + ports + ": " + e, e);
        }
        String admin = p.getProperty("admin");
        if (admin == null || admin.isBlank()) {
            throw new UnreachableException(ports + " has no admin port (admin listener not started?)");
        }
        try {
            int port = Integer.parseInt(admin.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException("out of range");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UnreachableException(ports + " has a bad admin port '" + admin + "'");
        }
    }

    /** @return the first line of the run directory's {@code admin.token}; empty when there is no such file */
    static Optional<String> tokenFile(Path runDir) throws UnreachableException {
        Path file = runDir.resolve("admin.token");
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).findFirst();
        } catch (NoSuchFileException e) {
            // burst.admin.token configured: the server wrote no file. Calls go without a token and get 401.
            return Optional.empty();
        } catch (AccessDeniedException e) {
            throw new UnreachableException("cannot read " + file + ": permission denied (run as the user of burst,"
                    + " or pass --token)", e);
        } catch (IOException e) {
            throw new UnreachableException("cannot read " + file + ": " + e, e);
        }
    }
}
