package com.example.myplugin;

import dev.burst.api.Before;
import dev.burst.api.Cmd;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * A plugin to start from. Cmd 1000 ({@code count}) greets the name sent as the request body and says how
 * many requests this instance has served; a before hook turns away a request without a name, so the
 * handler never sees one.
 *
 * <p>burst makes one instance per worker process and per plugin generation (each reload makes new
 * ones), so the count is this worker's since the last reload: state that must outlive either belongs in
 * a database. The greeting is read from the configuration in {@link #start}, under
 * {@code burst.plugin.<plugin name>.greeting} (the plugin name is the jar's, {@code my-plugin}).
 *
 * <p>Threads: burst calls the constructor, {@code start}, the hook and the handler on the worker's one
 * task thread, one request at a time, so the fields need no locks.
 */
public final class MyPlugin implements Plugin {

    /** The ret code of a request turned away for want of a name: HTTP clients see it as {@code Burst-Ret}. */
    static final int NO_NAME = 1;

    private String greeting;
    private String worker;
    private long served;

    @Override
    public void start(PluginContext context) {
        greeting = context.config()
                .getOptionalValue("burst.plugin." + context.pluginName() + ".greeting", String.class)
                .orElse("Hello");
        worker = context.worker().id();
        context.logger().log(Level.INFO, "counting on worker " + worker + ", greeting with '" + greeting + "'");
    }

    /** Runs before each request of this plugin's cmds; a reply here means the handler is skipped. */
    @Before
    void requireName(Request request) {
        if (request.text().isBlank()) {
            request.reply(NO_NAME, "send a name as the request body".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Answers with the greeting and this instance's count; a returned String is the reply, ret 0. */
    @Cmd(id = 1000, name = "count")
    String count(Request request) {
        served++;
        return greeting + ", " + request.text().strip() + "! You are request " + served + " on worker " + worker
                + ".";
    }
}
