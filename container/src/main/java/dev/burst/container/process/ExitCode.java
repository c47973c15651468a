package dev.burst.container.process;

import java.util.Arrays;
import java.util.Optional;

/**
 * Process exit codes: a protocol between the master and its children (gunicorn's WORKER_BOOT_ERROR).
 */
public enum ExitCode {
    /** Stopped as asked. */
    OK(0),
    /** Crashed after it had started; respawn. */
    FAILURE(1),
    /** Bad configuration: respawning cannot help. */
    CONFIG_ERROR(2),
    /** Could not start its plugins (or, for the proxy, its listeners): respawning the same way will fail again. */
    BOOT_ERROR(3),
    /** A worker could not reach the proxy socket. */
    PROXY_UNREACHABLE(4);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** @return the numeric exit status */
    public int code() {
        return code;
    }

    /**
     * @param status an exit status
     * @return the matching code, if it is one of ours
     */
    public static Optional<ExitCode> of(int status) {
        return Arrays.stream(values()).filter(c -> c.code == status).findFirst();
    }

    /** Exits the JVM with this code. */
    public void exit() {
        System.exit(code);
    }
}
