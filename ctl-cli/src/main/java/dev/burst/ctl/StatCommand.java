package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code stat [--loop N] [--count K] [--diff]}: one sample of {@code GET /admin/stat}, or a sample every N
 * seconds until K samples or an interrupt (the console's Ctrl-C). With --diff, each sample after the first
 * shows the counters' changes since the one before ({@link StatDiff}).
 */
final class StatCommand {

    /**
     * The arguments of stat.
     *
     * @param every the time between samples; empty for one sample
     * @param count how many samples; empty for no limit
     * @param diff  show counters' changes
     */
    record Args(Optional<Duration> every, OptionalLong count, boolean diff) {

        static final Duration DEFAULT_EVERY = Duration.ofSeconds(1);

        /** Parses the words after "stat". --count or --diff without --loop sample every second; --diff alone twice. */
        static Args parse(List<String> words) throws UsageException {
            Optional<Duration> every = Optional.empty();
            OptionalLong count = OptionalLong.empty();
            boolean diff = false;
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                switch (word) {
                    case "--diff" -> diff = true;
                    case "--loop" -> every = Optional.of(seconds(value(words, ++i, word)));
                    case "--count" -> count = OptionalLong.of(count(value(words, ++i, word)));
                    default -> throw new UsageException("stat does not take '" + word + "'");
                }
            }
            if (every.isEmpty() && (diff || count.isPresent())) {
                every = Optional.of(DEFAULT_EVERY);
                if (count.isEmpty()) {
                    count = OptionalLong.of(2);
                }
            }
            return new Args(every, count, diff);
        }

        private static String value(List<String> words, int i, String option) throws UsageException {
            if (i >= words.size()) {
                throw new UsageException(option + " needs a value");
            }
            return words.get(i);
        }

        private static Duration seconds(String text) throws UsageException {
            try {
                BigDecimal s = new BigDecimal(text);
                Duration d = Duration.ofNanos(s.movePointRight(9).longValueExact());
                if (d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
                    throw new UsageException("--loop takes seconds from 0.01 to 86400, not " + text);
                }
                return d;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new UsageException("--loop takes a number of seconds, not '" + text + "'");
            }
        }

        private static long count(String text) throws UsageException {
            try {
                long k = Long.parseLong(text);
                if (k < 1) {
                    throw new UsageException("--count takes 1 or more, not " + text);
                }
                return k;
            } catch (NumberFormatException e) {
                throw new UsageException("--count takes a whole number, not '" + text + "'");
            }
        }
    }

    private final AdminClient client;
    private final boolean json;
    private final PrintWriter out;

    StatCommand(AdminClient client, boolean json, PrintWriter out) {
        this.client = client;
        this.json = json;
        this.out = out;
    }

    /** Samples until done; an interrupt while looping ends the loop as the user asked, with the interrupt kept. */
    Exit run(Args args) throws UnreachableException, RefusedException, InterruptedException {
        if (args.every().isEmpty()) {
            print(client.get("/admin/stat").require(), Optional.empty(), Duration.ZERO, false);
            return Exit.OK;
        }
        long limit = args.count().orElse(Long.MAX_VALUE);
        JsonNode previous = null;
        long previousAt = 0;
        try {
            for (long n = 1; n <= limit; n++) {
                if (n > 1) {
                    Thread.sleep(args.every().get());
                }
                JsonNode sample = client.get("/admin/stat").require();
                long at = System.nanoTime();
                Optional<Map<String, Long>> changes = args.diff() && previous != null
                        ? Optional.of(StatDiff.between(previous, sample)) : Optional.empty();
                print(sample, changes, Duration.ofNanos(at - previousAt), true);
                out.flush();
                previous = sample;
                previousAt = at;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Exit.OK;
    }

    private void print(JsonNode sample, Optional<Map<String, Long>> changes, Duration over, boolean looping) {
        if (json) {
            ObjectNode copy = sample.deepCopy();
            changes.ifPresent(c -> {
                ObjectNode diff = copy.putObject("diff");
                c.forEach(diff::put);
            });
            out.println(copy.toPrettyString());
            return;
        }
        if (looping) {
            String time = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
            out.println(changes.isPresent()
                    ? "--- " + time + ", counters show their change over " + seconds(over) + " ---"
                    : "--- " + time + " ---");
        }
        out.print(changes.map(StatView::changes).orElseGet(StatView::values).render(sample));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
