package dev.burst.container.master;

import dev.burst.container.protocol.WireMessage;
import java.util.ArrayList;
import java.util.List;

/** The control link as a recorder: whether a proxy is connected is up to the test. */
final class FakeLink implements ProxyLink {

    /** Frames sent while connected, in order. */
    final List<WireMessage> sent = new ArrayList<>();
    /** Secrets the master announced, in order: one per proxy spawn. */
    final List<String> expected = new ArrayList<>();
    boolean connected;
    int checks;

    @Override
    public void expect(String secret) {
        expected.add(secret);
    }

    @Override
    public boolean send(WireMessage message) {
        if (connected) {
            sent.add(message);
        }
        return connected;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public void check() {
        checks++;
    }

    /** @return the frames of this type sent so far */
    <M extends WireMessage> List<M> sent(Class<M> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
