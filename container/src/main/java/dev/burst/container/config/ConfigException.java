package dev.burst.container.config;

/** A configuration value is missing, malformed or out of range; the message names the key. */
public final class ConfigException extends RuntimeException {

    /**
     * @param key     the offending key
     * @param value   the value found (may be null when absent)
     * @param allowed what would have been accepted
     */
    public ConfigException(String key, String value, String allowed) {
        super(key + "=" + (value == null ? "(unset)" : value) + ": " + allowed);
    }

    /**
     * @param message the whole message; must name the key
     */
    public ConfigException(String message) {
        super(message);
    }
}
