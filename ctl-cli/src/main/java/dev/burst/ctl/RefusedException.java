package dev.burst.ctl;

/** The server answered with an error: bad input, wrong token, or an operation it refused or that failed. */
final class RefusedException extends Exception {

    RefusedException(String message) {
        super(message);
    }
}
