package dev.burst.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of the plugin class as the handler of a command, instead of
 * {@link PluginContext#handle(Command, Handler)}:
 *
 * <pre>{@code
 * @Cmd(id = 1, name = "echo")
 * String echo(Request request) { return request.text(); }
 * }</pre>
 *
 * <p>The method is an instance method with one {@link Request} parameter, of any visibility. It returns
 * {@code void} (it answers through the request, or not at all), or {@code String} (sent as UTF-8 with ret
 * 0) or {@code byte[]}; a returned {@code null} means no reply. It may throw anything: ret -10001, as a
 * {@link Handler}. Anything else fails the plugin's start naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Cmd {

    /** @return the command id, as clients send it */
    int id();

    /** @return a name clients may use over HTTP ({@code POST /cmd/{name}}); "" for none */
    String name() default "";

    /** @return whether the proxy may run it once more on another worker if its worker dies mid-task */
    boolean idempotent() default false;
}
