package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage;

/**
 * The master's end of its control link to the proxy: {@link ControlServer} over {@code run/control.sock},
 * or a recording fake in tests. Called on the master's loop thread.
 */
interface ProxyLink {

    /**
     * From now on, accepts as the proxy only a connection that introduces itself with this secret (the
     * one handed to the proxy spawned next).
     *
     * @param secret the proxy's per-spawn secret, hex
     */
    void expect(String secret);

    /**
     * Sends a frame to the authenticated proxy.
     *
     * @param message the frame
     * @return whether it was sent: false when no authenticated proxy is connected, or the link broke
     */
    boolean send(WireMessage message);

    /** @return whether an authenticated proxy is connected */
    boolean connected();

    /** Periodic housekeeping: if the socket file was removed or replaced, binds it again and says so. */
    void check();

    /** No link: nothing is sent, nobody is connected (a master before its control socket exists). */
    ProxyLink NONE = new ProxyLink() {
        @Override
        public void expect(String secret) {
        }

        @Override
        public boolean send(WireMessage message) {
            return false;
        }

        @Override
        public boolean connected() {
            return false;
        }

        @Override
        public void check() {
        }
    };
}
