package dev.burst.container.process;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-spawn secrets: how the master's children prove that the master spawned them. A local process
 * that can reach {@code run/control.sock} or {@code run/proxy.sock} but was not spawned by this master
 * cannot take over the proxy's control link or register as a worker.
 *
 * <p>The master hands each child its secret in the environment ({@link #SECRET_ENV}), never on the
 * command line (which {@code ps} shows to every user). The proxy's secret is random; it sends it in its
 * first control frame. A worker's secret binds its group and slot to a random nonce with an HMAC under
 * a key the master made at start and gave the proxy ({@link #WORKER_KEY_ENV}), so the proxy checks a
 * worker's HELLO on its own, without asking the master:
 * <pre>
 * worker secret = nonce "." hex(HMAC-SHA256(key, group "#" slot "." nonce))      nonce = 16 random bytes, hex
 * </pre>
 */
public final class SpawnSecrets {

    /** The environment variable that carries a child's own secret. */
    public static final String SECRET_ENV = "BURST_SPAWN_SECRET";
    /** The environment variable that gives the proxy the key it checks workers' secrets with (hex). */
    public static final String WORKER_KEY_ENV = "BURST_WORKER_KEY";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private SpawnSecrets() {
    }

    /** @return 32 random bytes: the proxy's secret, or the master's worker key */
    public static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * @param bytes a key or secret
     * @return it as hex, for the environment
     */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /**
     * @param hex a key as {@link #hex(byte[])} wrote it
     * @return the key, if the text is hex of 32 bytes
     */
    public static Optional<byte[]> parseKey(String hex) {
        try {
            byte[] key = HEX.parseHex(hex);
            return key.length == 32 ? Optional.of(key) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the secret of one worker spawn.
     *
     * @param key   the master's worker key
     * @param group the worker's group
     * @param slot  its slot
     * @return the secret to put into its environment
     */
    public static String forWorker(byte[] key, String group, int slot) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String n = HEX.formatHex(nonce);
        return n + "." + HEX.formatHex(mac(key, group + "#" + slot + "." + n));
    }

    /**
     * Checks a worker's secret against the group and slot it claims.
     *
     * @param key    the master's worker key
     * @param group  the group the worker names
     * @param slot   the slot it names
     * @param secret the secret it sent
     * @return whether the master made this secret for that group and slot
     */
    public static boolean verifyWorker(byte[] key, String group, int slot, String secret) {
        int dot = secret.indexOf('.');
        if (dot <= 0 || dot == secret.length() - 1) {
            return false;
        }
        String nonce = secret.substring(0, dot);
        byte[] expected = HEX.formatHex(mac(key, group + "#" + slot + "." + nonce)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, secret.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Compares two secrets in constant time.
     *
     * @param expected what the master made
     * @param actual   what a peer sent
     * @return whether they are equal
     */
    public static boolean matches(String expected, String actual) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @return this process's own secret, from its environment ("" when it was not spawned by a master)
     */
    public static String own() {
        return Optional.ofNullable(System.getenv(SECRET_ENV)).orElse("");
    }

    private static byte[] mac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
