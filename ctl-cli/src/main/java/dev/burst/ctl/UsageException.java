package dev.burst.ctl;

/** The command line is wrong: unknown command or option, missing or malformed argument. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
