package dev.burst.container.plugin;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory state the plugins of a retiring generation handed off ({@link dev.burst.api.StateHandoff}),
 * by plugin name, for the next generation of the same worker. Holds copies only: JDK maps of arrays
 * burst made, so nothing of the old generation's classes (nor its arrays) reaches the new one.
 *
 * <p>Threads: made on the retiring generation's task thread, read on the next one's; the second thread
 * is started after it was made, which orders the two. Immutable.
 */
public final class Handover {

    private static final Handover NONE = new Handover(0, Map.of());

    private final int from;
    private final Map<String, Map<String, byte[]>> states;

    private Handover(int from, Map<String, Map<String, byte[]>> states) {
        this.from = from;
        this.states = states;
    }

    /** @return no state: a worker's first generation, or a predecessor none of whose plugins hands off */
    public static Handover none() {
        return NONE;
    }

    /**
     * @param from   the generation that handed the states off
     * @param states per plugin name, a copy made by {@link #copy}
     * @return the hand-over
     */
    static Handover of(int from, Map<String, Map<String, byte[]>> states) {
        return states.isEmpty() ? NONE : new Handover(from, Map.copyOf(states));
    }

    /**
     * Copies what a plugin's {@code handOff()} returned: a new map, each array cloned, unmodifiable.
     *
     * @param given what the plugin returned
     * @return the copy
     * @throws PluginException when the map, a key or a value is null (the message is completed with the
     *                         plugin's name by the caller)
     */
    static Map<String, byte[]> copy(Map<String, byte[]> given) throws PluginException {
        if (given == null) {
            throw new PluginException("handOff() returned null; return an empty map to hand off nothing");
        }
        Map<String, byte[]> copy = HashMap.newHashMap(given.size());
        for (Map.Entry<String, byte[]> e : given.entrySet()) {
            if (e.getKey() == null) {
                throw new PluginException("handOff() returned a null key");
            }
            if (e.getValue() == null) {
                throw new PluginException("handOff() returned a null value for key '" + e.getKey() + "'");
            }
            copy.put(e.getKey(), e.getValue().clone());
        }
        return Collections.unmodifiableMap(copy);
    }

    /** @return the generation that handed the states off; 0 when there are none */
    public int from() {
        return from;
    }

    /**
     * @param plugin a plugin name
     * @return the state its predecessor handed off, if it did
     */
    Optional<Map<String, byte[]>> of(String plugin) {
        return Optional.ofNullable(states.get(plugin));
    }

    /**
     * @param state one plugin's state
     * @return its size in bytes: the keys as UTF-16 chars (2 bytes each) plus the values
     */
    static long bytes(Map<String, byte[]> state) {
        long n = 0;
        for (Map.Entry<String, byte[]> e : state.entrySet()) {
            n += 2L * e.getKey().length() + e.getValue().length;
        }
        return n;
    }
}
