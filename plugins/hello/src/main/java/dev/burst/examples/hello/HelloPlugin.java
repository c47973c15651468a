package dev.burst.examples.hello;

import dev.burst.api.Command;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;

/**
 * The smallest useful plugin: cmd 1 ({@code echo}) answers the request body unchanged; cmd 2
 * ({@code greeting}) answers {@code greeting.txt}, read from this plugin's own jar on each request.
 */
public final class HelloPlugin implements Plugin {

    private static final String GREETING = "/greeting.txt";

    @Override
    public void start(PluginContext context) {
        context.handle(Command.of(1).named("echo"), request -> request.reply(request.body()));
        context.handle(Command.of(2).named("greeting"), HelloPlugin::greeting);
        context.logger().log(Level.INFO, "hello plugin started: echo (cmd 1), greeting (cmd 2)");
    }

    private static void greeting(Request request) throws IOException {
        try (InputStream in = HelloPlugin.class.getResourceAsStream(GREETING)) {
            if (in == null) {
                throw new FileNotFoundException(GREETING + " is missing from the hello plugin's jar");
            }
            request.reply(in.readAllBytes());
        }
    }
}
