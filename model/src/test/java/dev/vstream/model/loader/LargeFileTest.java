package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mapping must not copy weights to the heap. Sparse files keep these tests cheap: the disk holds
 * only the header, the rest reads back as zeros.
 */
class LargeFileTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static Path sparseFile(Path path, byte[] start, long length) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(start);
            file.setLength(length);
        }
        return path;
    }

    private static byte[] header(String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + text.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(text.length).put(text).array();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void mapping256MibDoesNotGrowTheHeap() throws IOException {
        long elements = 64 * MIB; // 256 MiB of F32
        byte[] start = header("{\"model.embed_tokens.weight\":{\"dtype\":\"F32\",\"shape\":[65536,1024],"
                + "\"data_offsets\":[0," + elements * 4 + "]}}");
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 65536, \"hidden_size\": 1024}");
        sparseFile(dir.resolve("model.safetensors"), start, start.length + elements * 4);

        long before = usedHeapAfterGc();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            Tensor embed = checkpoint.tensor("model.embed_tokens.weight", 65536, 1024);
            assertThat(embed.byteSize()).isEqualTo(256 * MIB);
            double sum = 0;
            for (long i = 0; i < elements; i += 4093) {
                sum += embed.getFloat(i);
            }
            float[] lastRow = new float[1024];
            embed.row(65535).copyTo(lastRow, 0);
            assertThat(sum).isZero();
            assertThat(lastRow).containsOnly(0f);
            long grown = usedHeapAfterGc() - before;
            System.out.printf("256 MiB tensor mapped and sampled: heap grew by %d KiB%n", grown >> 10);
            assertThat(grown).as("heap growth in bytes while a 256 MiB tensor is mapped").isLessThan(16 * MIB);
        }
    }

    @Test
    void headerLengthAboveTheCapIsRejectedEvenWhenTheFileIsLargeEnough() throws IOException {
        byte[] start = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(SafetensorsHeader.MAX_HEADER_BYTES + 1).put((byte) '{').array();
        Path path = sparseFile(dir.resolve("big-header.safetensors"), start, 110 * MIB);
        long before = usedHeapAfterGc();
        assertThatThrownBy(() -> SafetensorsFile.open(path))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(path + ": header length 100000001 exceeds the limit of 100000000 bytes");
        assertThat(usedHeapAfterGc() - before).isLessThan(16 * MIB);
    }
}
