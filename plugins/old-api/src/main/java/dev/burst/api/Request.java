// Frozen copy of API 0.1.0 that the old-api fixture compiles against; never edit.
// The real classes come from the worker at run time: the fixture jar leaves dev/burst/api out.
package dev.burst.api;

public interface Request {

    int cmd();

    int sn();

    byte[] body();

    default String text() {
        throw new UnsupportedOperationException("API stub");
    }

    String clientAddress();

    default void reply(byte[] body) {
        throw new UnsupportedOperationException("API stub");
    }

    void reply(int ret, byte[] body);

    default void reply(String text) {
        throw new UnsupportedOperationException("API stub");
    }
}
