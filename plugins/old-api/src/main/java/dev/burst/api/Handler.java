// Frozen copy of API 0.1.0 that the old-api fixture compiles against; never edit.
// The real classes come from the worker at run time: the fixture jar leaves dev/burst/api out.
package dev.burst.api;

@FunctionalInterface
public interface Handler {

    void handle(Request request) throws Exception;
}
