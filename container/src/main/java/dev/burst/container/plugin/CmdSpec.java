package dev.burst.container.plugin;

/**
 * A cmd a started generation serves, as the rest of the worker needs to know it.
 *
 * @param id         the cmd id
 * @param name       its name, "" when it has none
 * @param idempotent whether it may be run again on another worker after its worker died
 */
public record CmdSpec(int id, String name, boolean idempotent) {
}
