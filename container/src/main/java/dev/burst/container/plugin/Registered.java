package dev.burst.container.plugin;

import dev.burst.api.AfterHook;
import dev.burst.api.BeforeHook;
import dev.burst.api.BeforeSendHook;
import dev.burst.api.Command;
import dev.burst.api.Handler;
import java.util.List;

/**
 * A cmd of a started generation: its handler, where it came from, and the hooks around it, each list in
 * the order it runs (the order is written down in the plugin API's package documentation).
 *
 * @param plugin     the plugin that registered the handler
 * @param command    the command
 * @param handler    the handler
 * @param origin     how it was registered, for messages: {@code start()} or {@code method C.m(Request)}
 * @param loader     the plugin module's class loader (the task thread's context loader while it runs)
 * @param before     before hooks: worker-scoped of every plugin, then the plugin's own
 * @param beforeSend before-send hooks: the plugin's own, last registered first, then worker-scoped, reversed
 * @param after      after hooks, in the before-send order
 */
public record Registered(String plugin, Command command, Handler handler, String origin, ClassLoader loader,
                         List<Hook<BeforeHook>> before, List<Hook<BeforeSendHook>> beforeSend,
                         List<Hook<AfterHook>> after) {

    /**
     * A registered hook.
     *
     * @param plugin the plugin that registered it (logs name it when it throws)
     * @param loader that plugin module's class loader, the context loader while it runs
     * @param hook   the hook
     * @param <T>    its kind
     */
    public record Hook<T>(String plugin, ClassLoader loader, T hook) {
    }
}
