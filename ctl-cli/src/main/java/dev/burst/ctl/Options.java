package dev.burst.ctl;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The global options of a burstctl command line, and the command words after them.
 *
 * @param url     the admin base URL ({@code --url}), instead of the run directory's admin port
 * @param token   the bearer token ({@code --token})
 * @param runDir  the run directory of a local burst ({@code --run-dir})
 * @param json    print the server's JSON instead of tables ({@code --json})
 * @param help    {@code -h} or {@code --help}
 * @param command the command and its arguments; empty for the interactive console
 */
record Options(Optional<URI> url, Optional<String> token, Optional<Path> runDir, boolean json, boolean help,
        List<String> command) {

    static final String USAGE = "usage: burstctl [--url URL] [--token TOKEN] [--run-dir DIR] [--json] [command [args]]";

    /** Parses options up to the first word that is not one; that word and the rest are the command. */
    static Options parse(List<String> args) throws UsageException {
        Optional<URI> url = Optional.empty();
        Optional<String> token = Optional.empty();
        Optional<Path> runDir = Optional.empty();
        boolean json = false;
        boolean help = false;
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("-"); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (name) {
                case "--json" -> json = true;
                case "-h", "--help" -> help = true;
                case "--url", "--token", "--run-dir" -> {
                    String value;
                    if (arg.contains("=")) {
                        value = arg.substring(arg.indexOf('=') + 1);
                    } else if (i + 1 < args.size()) {
                        value = args.get(++i);
                    } else {
                        throw new UsageException(name + " needs a value");
                    }
                    if (value.isBlank()) {
                        throw new UsageException(name + " needs a value");
                    }
                    switch (name) {
                        case "--url" -> url = Optional.of(baseUrl(value));
                        case "--token" -> token = Optional.of(value);
                        default -> runDir = Optional.of(Path.of(value));
                    }
                }
                default -> throw new UsageException("unknown option '" + arg + "'");
            }
        }
        return new Options(url, token, runDir, json, help, List.copyOf(args.subList(i, args.size())));
    }

    /** @return the URL without a trailing slash, checked to be http(s)://host[:port] */
    private static URI baseUrl(String value) throws UsageException {
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        try {
            URI uri = new URI(trimmed);
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (!http || uri.getHost() == null || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null) {
                throw new UsageException("--url takes http://HOST:PORT, not '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--url takes http://HOST:PORT, not '" + value + "': " + e.getReason());
        }
    }
}
