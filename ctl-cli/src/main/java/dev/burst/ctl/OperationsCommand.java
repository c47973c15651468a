package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@code operations [--limit N | ID]}: the operation records the server keeps (its newest 100), as a table
 * with the newest last, or one record with its details. Runs on the caller's thread.
 */
final class OperationsCommand {

    /**
     * The arguments of operations.
     *
     * @param limit how many of the newest records; empty for every one the server keeps
     * @param id    the one record to show; empty for the table
     */
    record Args(OptionalInt limit, OptionalLong id) {

        static Args parse(List<String> words) throws UsageException {
            OptionalInt limit = OptionalInt.empty();
            OptionalLong id = OptionalLong.empty();
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                if (word.equals("--limit")) {
                    if (++i >= words.size()) {
                        throw new UsageException("--limit needs a value");
                    }
                    limit = OptionalInt.of(limit(words.get(i)));
                } else if (word.startsWith("-")) {
                    throw new UsageException("operations does not take '" + word + "'");
                } else if (id.isPresent()) {
                    throw new UsageException("operations takes one operation id, not '" + word + "' too");
                } else {
                    id = OptionalLong.of(id(word));
                }
            }
            if (limit.isPresent() && id.isPresent()) {
                throw new UsageException("operations takes --limit N or an operation id, not both");
            }
            return new Args(limit, id);
        }

        /** @return the path to ask: one record, the newest N, or all of them */
        String path() {
            if (id.isPresent()) {
                return "/admin/operations/" + id.getAsLong();
            }
            return limit.isPresent() ? "/admin/operations?limit=" + limit.getAsInt() : "/admin/operations";
        }

        private static int limit(String text) throws UsageException {
            try {
                int n = Integer.parseInt(text);
                if (n < 1) {
                    throw new UsageException("--limit takes 1 or more, not " + text);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException("--limit takes a whole number, not '" + text + "'");
            }
        }

        static long id(String text) throws UsageException {
            try {
                long id = Long.parseLong(text);
                if (id < 0) {
                    throw new NumberFormatException("negative");
                }
                return id;
            } catch (NumberFormatException e) {
                throw new UsageException("an operation id is a whole number like 12, not '" + text + "'");
            }
        }
    }

    private final AdminClient client;
    private final boolean json;
    private final PrintWriter out;

    OperationsCommand(AdminClient client, boolean json, PrintWriter out) {
        this.client = client;
        this.json = json;
        this.out = out;
    }

    Exit run(Args args) throws UnreachableException, RefusedException, InterruptedException {
        JsonNode reply = client.get(args.path()).require();
        if (json) {
            out.println(reply.toPrettyString());
        } else {
            OperationView view = new OperationView(ZoneId.systemDefault());
            out.print(args.id().isPresent() ? view.record(reply) : view.table(reply));
        }
        return Exit.OK;
    }
}
