package dev.burst.examples.hello;

import dev.burst.api.Command;
import dev.burst.api.Plugin;
import dev.burst.api.PluginContext;
import dev.burst.api.Request;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The smallest useful plugin, registering its handlers in {@code start}: cmd 1 ({@code echo}) answers the
 * request body unchanged; cmd 2 ({@code greeting}) answers {@code burst.plugin.hello.greeting} when it is
 * set, else {@code greeting.txt}, read from this plugin's own jar on each request.
 *
 * <p>Threads: burst creates it, sets {@code greeting} and calls {@code start} and the handlers on the
 * worker's task thread, one request at a time.
 */
public final class HelloPlugin implements Plugin {

    private static final String GREETING = "/greeting.txt";

    /** Set by burst before {@code start}, from the configuration a reload reads again. */
    @ConfigProperty(name = "burst.plugin.hello.greeting")
    private Optional<String> greeting;

    @Override
    public void start(PluginContext context) {
        context.handle(Command.of(1).named("echo"), request -> request.reply(request.body()));
        context.handle(Command.of(2).named("greeting"), this::greeting);
        context.logger().log(Level.INFO, "hello plugin started: echo (cmd 1), greeting (cmd 2)");
    }

    private void greeting(Request request) throws IOException {
        if (greeting.isPresent()) {
            request.reply(greeting.get());
            return;
        }
        try (InputStream in = HelloPlugin.class.getResourceAsStream(GREETING)) {
            if (in == null) {
                throw new FileNotFoundException(GREETING + " is missing from the hello plugin's jar");
            }
            request.reply(in.readAllBytes());
        }
    }
}
