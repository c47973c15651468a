package dev.burst.container.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Renders the shipped {@code conf/burst.properties} from the key table ({@link ConfigKeys}): a header on
 * where values come from, then one section per {@link ConfigKeys.Section}, and in it, per key, its
 * documentation, an {@code # Allowed:} line from its value type and a commented-out {@code #key=default}
 * line (group keys shown for the group named {@code default}). ConfigDocTest checks that the shipped file
 * is exactly this text.
 *
 * <p>To regenerate the shipped file, from the repository's root, after
 * {@code ./mvnw -o -q -pl plugin-api,container compile} (java 25):
 * <pre>{@code
 * java -cp container/target/classes dev.burst.container.config.ConfigDoc dist/src/main/dist/conf/burst.properties
 * }</pre>
 *
 * <p>Runs on the caller's thread; holds no state.
 */
public final class ConfigDoc {

    /** The command that rewrites the shipped file, from the repository's root. */
    static final String REGENERATE = "./mvnw -o -q -pl plugin-api,container compile"
            + " && java -cp container/target/classes " + ConfigDoc.class.getName()
            + " dist/src/main/dist/conf/burst.properties";

    /** Longest line of the rendered text. */
    private static final int WIDTH = 105;
    /** Section banners are this wide. */
    private static final int BANNER_WIDTH = 103;
    /** The group whose keys the file shows. */
    private static final String EXAMPLE_GROUP = "default";

    private static final String HEADER = """
            # burst configuration
            #
            # Every key is listed below with its default, commented out: a key left commented keeps its default.
            # Uncomment a line and change the value to override it.
            #
            # Where a value comes from, highest first:
            #   1. system properties:     bin/burst run -Dburst.http.port=9080
            #   2. environment variables: the key upper-cased, every character other than a letter or digit
            #                             turned into '_' (burst.group.default.workers -> BURST_GROUP_DEFAULT_WORKERS,
            #                             burst.group.default.max-pending -> BURST_GROUP_DEFAULT_MAX_PENDING)
            #   3. this file:             conf/burst.properties, or the file named by burst.conf
            #   4. the built-in defaults shown here
            #
            # Every key is checked once, at start: a bad value stops the server with a message naming the key, the
            # value and what is allowed (each key's "Allowed:" line below), and so does a burst.* key that is not
            # listed here (a typo), except the plugins' own burst.plugin.* keys. Durations are ISO-8601: PT0.5S,
            # PT5S, PT2M, PT1H. Relative paths resolve against burst.home, the distribution's folder (set by
            # bin/burst).
            """;

    private static final String PLUGIN_KEYS_TITLE = "Plugins' own keys";
    private static final String PLUGIN_KEYS = """
            burst.plugin.<plugin>.<key>: anything a plugin reads through its MicroProfile Config
            (PluginContext.config(), or a field annotated @ConfigProperty), from the same sources and with the
            same precedence as the keys above. <plugin> is the plugin's name: its jar's name without .jar, or its
            folder's name. A reload reads this file again for the plugins it starts. The example plugins' keys:""";
    private static final String PLUGIN_KEY_EXAMPLES = """

            # hello: what cmd 2 (greeting) answers. Unset: the greeting.txt of its jar.
            #burst.plugin.hello.greeting=

            # slow: the longest sleep cmds 10 and 13 accept, in milliseconds; a longer one fails with -10001.
            #burst.plugin.slow.max-millis=600000

            # counter: added each second to every count a worker holds; 0 = no income. The counter answers only
            # in a group that routes by key (burst.group.<g>.route=key).
            #burst.plugin.counter.income=1
            """;

    private ConfigDoc() {
    }

    /**
     * @return the text of conf/burst.properties, lines ending in {@code \n}
     * @throws IllegalStateException when the keys of one section are not declared together in the table
     */
    public static String text() {
        StringBuilder out = new StringBuilder(HEADER);
        Set<ConfigKeys.Section> done = EnumSet.noneOf(ConfigKeys.Section.class);
        Optional<ConfigKeys.Section> current = Optional.empty();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (key.section().isEmpty()) {
                continue;
            }
            ConfigKeys.Section section = key.section().get();
            if (!current.equals(key.section())) {
                if (!done.add(section)) {
                    throw new IllegalStateException("the keys of section '" + section.title()
                            + "' are not declared together in ConfigKeys: " + key.name() + " is apart");
                }
                out.append("\n\n").append(banner(section.title())).append('\n');
                current = key.section();
            }
            out.append('\n');
            comment(out, key.documentation());
            comment(out, "Allowed: " + key.allowed() + ".");
            String name = key.scope() == ConfigKey.Scope.GROUP ? key.nameIn(EXAMPLE_GROUP) : key.name();
            out.append('#').append(name).append('=').append(key.defaultValue()).append('\n');
        }
        out.append("\n\n").append(banner(PLUGIN_KEYS_TITLE)).append("\n\n");
        comment(out, PLUGIN_KEYS);
        out.append(PLUGIN_KEY_EXAMPLES);
        return out.toString();
    }

    /**
     * Prints the text, or writes it into a file.
     *
     * @param args nothing: print to stdout; one path: write the file there (UTF-8)
     * @throws IOException when the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        switch (args.length) {
            case 0 -> System.out.print(text());
            case 1 -> Files.writeString(Path.of(args[0]), text(), StandardCharsets.UTF_8);
            default -> {
                System.err.println("usage: ConfigDoc [file]   (no file: print to stdout)");
                System.exit(2);
            }
        }
    }

    private static String banner(String title) {
        String start = "# ---- " + title + " ";
        return start + "-".repeat(Math.max(4, BANNER_WIDTH - start.length()));
    }

    /** Appends prose as comment lines of at most WIDTH characters; blank lines separate paragraphs. */
    private static void comment(StringBuilder out, String prose) {
        String[] paragraphs = prose.strip().split("\\n\\s*\\n");
        for (int p = 0; p < paragraphs.length; p++) {
            if (p > 0) {
                out.append("#\n");
            }
            StringBuilder line = new StringBuilder("#");
            for (String word : paragraphs[p].strip().split("\\s+")) {
                if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
                    out.append(line).append('\n');
                    line.setLength(1);
                }
                line.append(' ').append(word);
            }
            out.append(line).append('\n');
        }
    }
}
