package dev.burst.container.proxy.dispatch;

import dev.burst.container.plugin.CmdSpec;
import dev.burst.container.proxy.dispatch.PoolWorker.State;
import dev.burst.container.protocol.WireMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Which group serves which cmd, and the names plugins gave their cmds: an immutable snapshot, read
 * without locks on every request and replaced whole when what the workers serve changes.
 *
 * <p>A group serves the cmds of its workers that are READY or swapping, plus the cmds of the generation
 * that is serving (remembered from the last worker that reported it, so a group whose only worker is
 * being respawned keeps queuing its cmds instead of answering "unknown"). A cmd no worker and no serving
 * generation has any more — one a reload removed — is unknown at once.
 *
 * <p>The disconnect pseudo cmd ({@link WireMessage#DISCONNECT_CMD}) is never routed to: the groups that
 * serve it are listed apart, as the ones disconnect events go to.
 */
public final class Routes {

    /** No cmd is routed: before any worker is ready. */
    public static final Routes EMPTY = new Routes(Map.of(), Map.of(), List.of());

    private final Map<Integer, GroupPool> byCmd;
    private final Map<String, Integer> byName;
    private final List<GroupPool> events;

    private Routes(Map<Integer, GroupPool> byCmd, Map<String, Integer> byName, List<GroupPool> events) {
        this.byCmd = byCmd;
        this.byName = byName;
        this.events = events;
    }

    /**
     * Builds the routes from what every group's workers serve now.
     *
     * @param pools     the groups, in configuration order (the first of two groups serving a cmd keeps it)
     * @param serving   per group, the cmds of the serving generation, where known
     * @param conflicts told about each cmd that two groups serve
     * @return the routes
     */
    public static Routes build(List<GroupPool> pools, Map<String, Map<Integer, CmdSpec>> serving,
                               Consumer<String> conflicts) {
        Map<Integer, GroupPool> byCmd = new HashMap<>();
        Map<String, Integer> byName = new HashMap<>();
        List<GroupPool> events = new ArrayList<>();
        for (GroupPool pool : pools) {
            Map<Integer, CmdSpec> cmds = new HashMap<>(serving.getOrDefault(pool.config().name(), Map.of()));
            for (PoolWorker w : pool.workers()) {
                if (w.state() == State.READY || w.state() == State.SWAPPING) {
                    cmds.putAll(w.cmds());
                }
            }
            for (CmdSpec c : cmds.values()) {
                if (c.id() == WireMessage.DISCONNECT_CMD) {
                    events.add(pool);
                    continue;
                }
                GroupPool owner = byCmd.putIfAbsent(c.id(), pool);
                if (owner != null && owner != pool) {
                    conflicts.accept("cmd " + c.id() + " is served by groups " + owner.config().name() + " and "
                            + pool.config().name() + "; it stays routed to " + owner.config().name());
                    continue;
                }
                if (!c.name().isEmpty()) {
                    byName.putIfAbsent(c.name(), c.id());
                    pool.stats().name(c.id(), c.name());
                }
            }
        }
        return new Routes(Map.copyOf(byCmd), Map.copyOf(byName), List.copyOf(events));
    }

    /**
     * @param cmd a cmd id
     * @return the group that serves it, or null when none does
     */
    public GroupPool group(int cmd) {
        return byCmd.get(cmd);
    }

    /**
     * Resolves the {cmd} of {@code POST /cmd/{cmd}}: a number, or a name a plugin registered.
     *
     * @param cmdOrName the path segment
     * @return the cmd id, if it is a number or a known name
     */
    public OptionalInt resolve(String cmdOrName) {
        try {
            return OptionalInt.of(Integer.parseInt(cmdOrName));
        } catch (NumberFormatException e) {
            Integer id = byName.get(cmdOrName);
            return id == null ? OptionalInt.empty() : OptionalInt.of(id);
        }
    }

    /** @return the groups with disconnect handlers, each once, in configuration order */
    public List<GroupPool> disconnectGroups() {
        return events;
    }

    /** @return how many cmds are routed */
    public int size() {
        return byCmd.size();
    }
}
