package dev.burst.ctl;

/** How a one-shot command ends: the process exit status is a protocol for scripts. */
enum Exit {
    /** Done as asked. */
    OK(0),
    /** The server answered with an error, or refused or failed the operation. */
    FAILED(1),
    /** The command line is wrong; nothing was sent. */
    USAGE(2),
    /** No burst to talk to: no run directory, no admin port, or nothing listening at the URL. */
    UNREACHABLE(3);

    private final int code;

    Exit(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
