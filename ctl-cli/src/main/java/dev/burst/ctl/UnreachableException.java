package dev.burst.ctl;

/** burstctl cannot talk to a burst: its run directory says nothing usable, or nothing answers at the URL. */
final class UnreachableException extends Exception {

    UnreachableException(String message) {
        super(message);
    }

    UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
