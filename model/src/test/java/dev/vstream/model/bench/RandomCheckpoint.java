package dev.vstream.model.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a checkpoint folder (config.json + one model.safetensors) of random weights with
 * given names and shapes, so that the real loaders bind it exactly as a downloaded checkpoint.
 * Values only need to keep the forward pass finite: matrices are uniform in
 * {@code ±1/sqrt(fan_in)}, norm weights 1, biases 0, and the few state-space parameters are
 * set to values of the usual initialisations (see {@link Fill}).
 */
final class RandomCheckpoint {

    /** How a tensor is filled. */
    enum Fill {
        /** uniform in ±1/sqrt(last dimension) */
        MATRIX,
        /** all 1 (norm weights, the Mamba skip D) */
        ONES,
        /** all 0 (biases) */
        ZEROS,
        /** log(1 + j mod 16), the S4D-real initialisation of A_log */
        A_LOG,
        /** -4.6: softplus gives a step of about 0.01 */
        STEP_BIAS,
        /** uniform in ±0.1 (differential attention lambdas, memory tokens) */
        SMALL
    }

    enum DType { BF16, F32 }

    record Spec(String name, DType dtype, Fill fill, long... shape) {
        long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        long bytes() {
            return elements() * (dtype == DType.BF16 ? 2 : 4);
        }
    }

    private static final int CHUNK_BYTES = 8 << 20;

    private RandomCheckpoint() {
    }

    /** Writes {@code folder}/config.json and {@code folder}/model.safetensors; returns the data bytes. */
    static long write(Path folder, String configJson, List<Spec> specs, long seed) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), configJson);
        StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\"}");
        long offset = 0;
        for (Spec spec : specs) {
            header.append(", \"").append(spec.name()).append("\": {\"dtype\": \"").append(spec.dtype())
                    .append("\", \"shape\": [");
            for (int i = 0; i < spec.shape().length; i++) {
                header.append(i == 0 ? "" : ", ").append(spec.shape()[i]);
            }
            header.append("], \"data_offsets\": [").append(offset).append(", ").append(offset + spec.bytes()).append("]}");
            offset += spec.bytes();
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(folder.resolve("model.safetensors"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + headerBytes.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(headerBytes.length).put(headerBytes).flip();
            writeFully(channel, prefix);
            for (Spec spec : specs) {
                writeTensor(channel, buffer, spec, random);
            }
        }
        return offset;
    }

    private static void writeTensor(FileChannel channel, ByteBuffer buffer, Spec spec, SplittableRandom random)
            throws IOException {
        long lastDim = spec.shape()[spec.shape().length - 1];
        float scale = switch (spec.fill()) {
            case MATRIX -> (float) (1 / Math.sqrt(lastDim));
            case SMALL -> 0.1f;
            default -> 0;
        };
        long n = spec.elements();
        for (long j = 0; j < n; j++) {
            float value = switch (spec.fill()) {
                case MATRIX, SMALL -> (float) ((2 * random.nextDouble() - 1) * scale);
                case ONES -> 1;
                case ZEROS -> 0;
                case A_LOG -> (float) Math.log(1 + j % 16);
                case STEP_BIAS -> -4.6f;
            };
            if (spec.dtype() == DType.BF16) {
                // Round to nearest even on the upper 16 bits of the float.
                int bits = Float.floatToRawIntBits(value);
                bits += 0x7FFF + ((bits >>> 16) & 1);
                buffer.putShort((short) (bits >>> 16));
            } else {
                buffer.putFloat(value);
            }
            if (buffer.remaining() < 4) {
                buffer.flip();
                writeFully(channel, buffer);
                buffer.clear();
            }
        }
        buffer.flip();
        writeFully(channel, buffer);
        buffer.clear();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Deletes a folder written by {@link #write}. */
    static void delete(Path folder) throws IOException {
        Files.deleteIfExists(folder.resolve("model.safetensors"));
        Files.deleteIfExists(folder.resolve("config.json"));
        Files.deleteIfExists(folder);
    }
}
