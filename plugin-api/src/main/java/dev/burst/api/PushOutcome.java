package dev.burst.api;

import java.util.List;

/**
 * What became of one push. burst implements this interface; methods may be added to it.
 */
public interface PushOutcome {

    /** @return connections the frame was queued on (a user logged in twice counts twice) */
    int delivered();

    /** @return the named users that had no connection (always 0 for a push to all) */
    int offline();

    /** @return connections closed as slow consumers instead of getting the frame */
    int dropped();

    /** @return the named users that had no connection, at most 1000 of them */
    List<String> offlineUsers();
}
