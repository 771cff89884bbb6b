package dev.vstream.memory.encoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which vision encoder made a memory's features: what a reader needs to tell whether two snapshots are comparable.
 *
 * @param name         the model folder's name (e.g. {@code clip-vit-large-patch14}), with {@code /vision} when the
 *                     encoder is in that subfolder of it
 * @param configSha256 SHA-256 of its config.json, 64 lower-case hex digits
 */
public record EncoderIdentity(String name, String configSha256) {

    public EncoderIdentity {
        if (name == null || name.isBlank() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("encoder name must be 1..255 UTF-8 bytes, got '" + name + "'");
        }
        if (configSha256 == null || !configSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("config hash must be 64 lower-case hex digits, got " + configSha256);
        }
    }

    static EncoderIdentity of(String name, Path checkpointFolder) throws IOException {
        byte[] config = Files.readAllBytes(checkpointFolder.resolve("config.json"));
        try {
            return new EncoderIdentity(name,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
