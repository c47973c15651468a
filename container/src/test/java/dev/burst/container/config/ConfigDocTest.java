package dev.burst.container.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped conf/burst.properties and README.md's configuration table say what the key table says. */
class ConfigDocTest {

    /** Tests run in the container module's folder. */
    private static final Path SHIPPED = Path.of("../dist/src/main/dist/conf/burst.properties");
    private static final Path README = Path.of("../README.md");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void the_shipped_conf_burst_properties_is_exactly_what_the_key_table_renders() throws Exception {
        String shipped = new String(Files.readAllBytes(SHIPPED), StandardCharsets.UTF_8);

        assertEquals(ConfigDoc.text(), shipped, () -> SHIPPED.normalize() + " is not what the key table in ConfigKeys"
                + " renders (" + firstDifference(ConfigDoc.text(), shipped) + "). Change the table, not the file, then"
                + " regenerate the file from the repository's root, with java 25 on the PATH: " + ConfigDoc.REGENERATE);
    }

    @Test
    void the_rendered_file_shows_every_operator_key_with_its_default_after_what_is_allowed() {
        List<String> lines = ConfigDoc.text().lines().toList();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (key.scope() == ConfigKey.Scope.LAUNCHER) {
                assertTrue(lines.stream().noneMatch(l -> l.startsWith("#" + key.name() + "=")), key.name());
                continue;
            }
            String line = "#" + key.name().replace("<g>", "default") + "=" + key.defaultValue();
            int at = lines.indexOf(line);
            assertTrue(at > 0, () -> "no line " + line);
            int block = at;
            while (block > 0 && lines.get(block - 1).startsWith("# ")) {
                block--;
            }
            List<String> comment = lines.subList(block, at);
            String allowed = "# Allowed: " + key.allowed().substring(0, 10);
            assertTrue(comment.size() >= 2 && comment.stream().anyMatch(l -> l.startsWith(allowed)),
                    () -> line + " follows " + comment);
        }
    }

    @Test
    void the_readme_configuration_table_lists_every_operator_key_with_its_default_and_no_other() throws Exception {
        List<String> rows = configurationRows(Files.readString(README));
        List<String> problems = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (key.scope() == ConfigKey.Scope.LAUNCHER) {
                continue;
            }
            List<String> cells = rows.stream().filter(r -> firstCell(r).contains("`" + key.name() + "`")).toList();
            if (cells.isEmpty()) {
                problems.add(key.name() + " has no row");
            } else if (!key.defaultValue().isEmpty() && !cells.getFirst().contains("`" + key.defaultValue() + "`")) {
                problems.add(key.name() + "'s row does not show its default `" + key.defaultValue() + "`");
            }
        }
        List<String> known = ConfigLoader.operatorKeys();
        for (String row : rows) {
            Matcher m = CODE.matcher(firstCell(row));
            while (m.find()) {
                if (!known.contains(m.group(1)) && !m.group(1).startsWith("burst.plugin.")) {
                    problems.add("the row of " + m.group(1) + " names no key of ConfigKeys");
                }
            }
        }
        assertEquals(List.of(), problems, "README.md, section Configuration, against the key table in ConfigKeys");
    }

    /** @return the rows of the table in README.md's Configuration section that name keys */
    private static List<String> configurationRows(String readme) {
        int start = readme.indexOf("\n## Configuration\n");
        assertTrue(start >= 0, "README.md has a Configuration section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end).lines()
                .filter(l -> l.startsWith("| `burst."))
                .toList();
    }

    private static String firstCell(String row) {
        return row.substring(1, row.indexOf('|', 1));
    }

    private static String firstDifference(String expected, String actual) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            String want = i < e.size() ? e.get(i) : "(end of text)";
            String got = i < a.size() ? a.get(i) : "(end of file)";
            if (!want.equals(got)) {
                return "first difference at line " + (i + 1) + ": expected '" + want + "', found '" + got + "'";
            }
        }
        return "the lines agree; the line endings or the final newline differ";
    }
}
