package dev.burst.container.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The admin API's bearer token: {@code burst.admin.token} when configured, else one generated at start
 * into {@code run/admin.token} (mode 0600) for local tools such as burstctl. Compared in constant time.
 */
public final class AdminToken {

    private static final String FILE = "admin.token";

    private final byte[] token;

    private AdminToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The master's side, at start: use the configured token, or write a fresh one.
     *
     * @param configured burst.admin.token, if set
     * @param runDir     the run directory
     * @return the token in force
     * @throws IOException when the token file cannot be written
     */
    public static AdminToken prepare(Optional<String> configured, Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (configured.isPresent()) {
            Files.deleteIfExists(file);
            return new AdminToken(configured.get());
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String fresh = HexFormat.of().formatHex(random);
        Path tmp = Files.createTempFile(runDir, ".admin.token", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, fresh + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new AdminToken(fresh);
    }

    /**
     * The proxy's side: the configured token, or the one the master wrote.
     *
     * @param configured burst.admin.token, if set
     * @param runDir     the run directory
     * @return the token in force
     * @throws IOException when there is no token file
     */
    public static AdminToken load(Optional<String> configured, Path runDir) throws IOException {
        if (configured.isPresent()) {
            return new AdminToken(configured.get());
        }
        return new AdminToken(Files.readString(runDir.resolve(FILE)).trim());
    }

    /**
     * @param authorization the request's Authorization header, if any
     * @return whether it carries this token ({@code Bearer <token>}), compared in constant time
     */
    public boolean accepts(Optional<String> authorization) {
        String given = authorization.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .orElse("");
        return MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }
}
