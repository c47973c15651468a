package dev.burst.api;

/** Which requests a hook runs around. */
public enum HookScope {
    /** The cmds of the plugin that registered the hook. */
    PLUGIN,
    /** Every cmd its worker runs, of every plugin of the group: cross-cutting auth, metrics, audit. */
    WORKER
}
