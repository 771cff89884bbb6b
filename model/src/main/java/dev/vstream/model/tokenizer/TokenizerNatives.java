package dev.vstream.model.tokenizer;

import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares DJL before its tokenizer natives load (once per JVM, before the first
 * {@code HuggingFaceTokenizer} is built):
 *
 * <ul>
 *   <li>offline: DJL would otherwise download a native library for a platform whose library
 *       is not inside the jar, and on EC2 its {@code Ec2Utils.callHome} reads the instance
 *       metadata endpoint. The system property {@code offline=true} stops both (DJL ORs it
 *       with {@code DJL_OFFLINE}/{@code ai.djl.offline}, so an environment that says
 *       otherwise cannot switch it back on); {@code OPT_OUT_TRACKING} is set as well.</li>
 *   <li>a writable cache: the linux-x86_64 library ships inside the jar and is copied to
 *       {@code ENGINE_CACHE_DIR}/tokenizers (default {@code ~/.djl.ai/tokenizers}) before it is
 *       loaded. When that folder cannot be written, {@code ENGINE_CACHE_DIR} is pointed at a
 *       fresh temporary folder instead. (An {@code ENGINE_CACHE_DIR} environment variable wins
 *       over the property in DJL; then the variable must name a writable folder.)</li>
 * </ul>
 */
final class TokenizerNatives {

    private static final Logger log = LoggerFactory.getLogger(TokenizerNatives.class);
    private static boolean prepared;

    private TokenizerNatives() {
    }

    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        System.setProperty("offline", "true");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        Path preferred = Utils.getEngineCacheDir("tokenizers");
        if (!isWritableFolder(preferred)) {
            try {
                Path temporary = Files.createTempDirectory("vstream-djl-");
                System.setProperty("ENGINE_CACHE_DIR", temporary.toString());
                log.info("DJL cache {} is not writable; tokenizer natives go to {}", preferred, temporary);
            } catch (IOException e) {
                throw new IllegalStateException("neither the DJL cache " + preferred
                        + " nor a temporary folder is writable for the tokenizer natives", e);
            }
        }
        prepared = true;
    }

    /** Whether {@code folder} exists or can be created, and a file can be written in it. */
    static boolean isWritableFolder(Path folder) {
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".probe", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
