package dev.burst.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void numeric_columns_are_right_aligned_and_text_columns_left_aligned_under_their_header() {
        String text = Table.withHeader("group", "workers", "p50")
                .row("default", "2", "0.20")
                .row("game", "12", "12.3")
                .render();

        assertEquals("""
                group    workers   p50
                default        2  0.20
                game          12  12.3
                """, text);
    }

    @Test
    void a_column_with_one_word_among_numbers_is_left_aligned() {
        String text = Table.withHeader("state", "n").row("READY", "1").row("12", "100").render();

        assertEquals("""
                state    n
                READY    1
                12     100
                """, text);
    }

    @Test
    void a_text_column_stays_left_aligned_when_its_cells_start_with_digits() {
        String text = Table.withHeader("id", "outcome").text(1).row("3", "2 of 2 worker(s) replaced")
                .row("12", "1 of 2").render();

        assertEquals("""
                id  outcome
                 3  2 of 2 worker(s) replaced
                12  1 of 2
                """, text);
    }

    @Test
    void signed_changes_units_and_dashes_count_as_numbers() {
        String text = Table.withHeader("x").row("+12").row("-").row("12.5 s").row("-3").render();

        assertEquals("""
                     x
                   +12
                     -
                12.5 s
                    -3
                """, text);
    }

    @Test
    void a_table_without_header_aligns_its_rows_and_no_line_has_trailing_spaces() {
        String text = Table.withoutHeader(4)
                .row("uptime", "12.5 s", "clients", "4")
                .row("admin_auth_failures", "0", "", "")
                .render();

        assertEquals("""
                uptime               12.5 s  clients  4
                admin_auth_failures       0
                """, text);
        text.lines().forEach(l -> assertTrue(l.equals(l.stripTrailing()), () -> "trailing spaces in '" + l + "'"));
    }

    @Test
    void a_row_of_the_wrong_width_is_refused() {
        Table t = Table.withHeader("a", "b");

        assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
    }

    @Test
    void an_empty_table_renders_its_header_and_says_it_is_empty() {
        Table t = Table.withHeader("worker", "pid");

        assertTrue(t.isEmpty());
        assertEquals("worker  pid\n", t.render());
    }
}
