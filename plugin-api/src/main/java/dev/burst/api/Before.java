package dev.burst.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of the plugin class as a {@link BeforeHook}: an instance method {@code void m(Request request)}, of any visibility,
 * returning {@code void}. Annotated hooks of one plugin are registered before its {@code start} runs, in
 * ascending {@link #order()}, then by method name. Anything else fails the plugin's start naming the
 * method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Before {

    /** @return the requests it runs around: this plugin's cmds (the default) or every cmd of its worker */
    HookScope scope() default HookScope.PLUGIN;

    /** @return its place among this plugin's annotated hooks of its kind, lowest first */
    int order() default 0;
}
