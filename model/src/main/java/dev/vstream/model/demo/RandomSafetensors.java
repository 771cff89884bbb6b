package dev.vstream.model.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes one F32 safetensors file of seeded random tensors: an 8-byte little-endian header
 * length, the JSON header (padded with spaces to a multiple of 8), then the tensors back to back.
 * Values keep a forward pass finite and varied: matrices uniform in {@code ±1/sqrt(fan_in)},
 * norm weights 1, biases 0, and the state-space parameters at their usual initialisations.
 */
final class RandomSafetensors {

    enum Fill {
        /** uniform in ±1/sqrt(last dimension) */
        MATRIX,
        ONES,
        ZEROS,
        /** log(1 + j mod 16): S4D-real A_log */
        A_LOG,
        /** -4.6: softplus gives a step of about 0.01 */
        STEP_BIAS,
        /** uniform in ±0.1 */
        SMALL
    }

    record Spec(String name, Fill fill, long... shape) {
        long elements() {
            long n = 1;
            for (long s : shape) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    private RandomSafetensors() {
    }

    static void write(Path file, List<Spec> specs, long seed) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\", \"generator\": \"vstream demo\"}");
        long offset = 0;
        for (Spec spec : specs) {
            long bytes = spec.elements() * Float.BYTES;
            header.append(", \"").append(spec.name()).append("\": {\"dtype\": \"F32\", \"shape\": [");
            for (int i = 0; i < spec.shape().length; i++) {
                header.append(i == 0 ? "" : ", ").append(spec.shape()[i]);
            }
            header.append("], \"data_offsets\": [").append(offset).append(", ").append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(seed);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (Spec spec : specs) {
                double scale = switch (spec.fill()) {
                    case MATRIX -> 1 / Math.sqrt(spec.shape()[spec.shape().length - 1]);
                    case SMALL -> 0.1;
                    default -> 0;
                };
                long n = spec.elements();
                for (long j = 0; j < n; j++) {
                    float v = switch (spec.fill()) {
                        case MATRIX, SMALL -> (float) ((2 * random.nextDouble() - 1) * scale);
                        case ONES -> 1;
                        case ZEROS -> 0;
                        case A_LOG -> (float) Math.log(1 + j % 16);
                        case STEP_BIAS -> -4.6f;
                    };
                    out.write(value.clear().putFloat(v).array());
                }
            }
        }
    }
}
