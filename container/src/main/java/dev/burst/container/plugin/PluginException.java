package dev.burst.container.plugin;

/** A plugin cannot be snapshotted, validated or started; the message names the plugin and file. */
public final class PluginException extends Exception {

    /**
     * @param message what failed, naming the plugin and file
     */
    public PluginException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the plugin and file
     * @param cause   the underlying failure
     */
    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
