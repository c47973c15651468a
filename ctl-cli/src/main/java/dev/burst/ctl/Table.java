package dev.burst.ctl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A text table with aligned columns, two spaces apart. A column whose cells all read as numbers ("12",
 * "-3", "+5", "0.25", "12.5 s", or "-" for none; empty cells do not count) is right-aligned, header included;
 * others are left-aligned, as are columns marked as {@linkplain #text(int) text}.
 * Lines carry no trailing spaces.
 */
final class Table {

    private static final Pattern NUMERIC = Pattern.compile("-|[-+]?[0-9].*");
    private static final String GAP = "  ";

    private final int columns;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final Set<Integer> text = new HashSet<>();

    private Table(int columns, List<String> header) {
        this.columns = columns;
        this.header = header;
    }

    /** @return a table with a header line */
    static Table withHeader(String... header) {
        return new Table(header.length, List.of(header));
    }

    /** @return a table without a header line, such as name/value pairs */
    static Table withoutHeader(int columns) {
        return new Table(columns, List.of());
    }

    /** Marks a column as text (an outcome, a message): left-aligned even when its cells start with digits. */
    Table text(int column) {
        if (column < 0 || column >= columns) {
            throw new IllegalArgumentException("no column " + column + " in a table of " + columns + " columns");
        }
        text.add(column);
        return this;
    }

    /** Adds a row; it must have as many cells as the table has columns. */
    Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns
                    + " columns: " + Arrays.toString(cells));
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Adds a row; it must have as many cells as the table has columns. */
    Table row(List<String> cells) {
        return row(cells.toArray(String[]::new));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** @return the lines, each ending with a newline */
    String render() {
        int[] width = new int[columns];
        boolean[] right = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            right[c] = !text.contains(c);
            if (!header.isEmpty()) {
                width[c] = header.get(c).length();
            }
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
                right[c] &= row.get(c).isEmpty() || NUMERIC.matcher(row.get(c)).matches();
            }
        }
        StringBuilder out = new StringBuilder();
        if (!header.isEmpty()) {
            line(out, header, width, right);
        }
        for (List<String> row : rows) {
            line(out, row, width, right);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                line.append(GAP);
            }
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            line.append(right[c] ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
