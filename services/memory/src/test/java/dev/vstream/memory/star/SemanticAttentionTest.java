package dev.vstream.memory.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vstream.memory.cluster.FeatureShapeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SemanticAttentionTest {

    @TempDir
    Path dir;

    @Test
    void loadsFloat32AndBfloat16ProjectionsWithOrWithoutBias() throws IOException {
        // q: (2, 3) f32 with bias; k: (2, 3) bf16 without bias
        float[] q = {1, 2, 3, 4, 5, 6};
        float[] qb = {0.5f, -0.5f};
        float[] k = {1, -1, 0.5f, 2, -2, 0.25f};
        ByteBuffer data = ByteBuffer.allocate(6 * 4 + 2 * 4 + 6 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : q) {
            data.putFloat(v);
        }
        for (float v : qb) {
            data.putFloat(v);
        }
        for (float v : k) {
            data.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        String header = "{\"m.q_proj.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"m.q_proj.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
                + "\"m.k_proj.weight\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[32,44]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        Path file = write(header, data.array());
        SemanticAttention attention = SemanticAttention.load(file, "m.");
        assertEquals(2, attention.dim());
        assertEquals(3, attention.channels());
        assertArrayEquals(q, attention.queryWeight());
        assertArrayEquals(qb, attention.queryBias());
        assertArrayEquals(k, attention.keyWeight());
        assertArrayEquals(new float[2], attention.keyBias());
    }

    @Test
    void rejectsMismatchedShapesAndBrokenFiles() throws IOException {
        String header = "{\"q_proj.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"k_proj.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[24,48]}}";
        Path mismatched = write(header, new byte[48]);
        assertThrows(FeatureShapeException.class, () -> SemanticAttention.load(mismatched, ""));
        Path missing = write("{\"q_proj.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}",
                new byte[24]);
        assertThrows(IllegalArgumentException.class, () -> SemanticAttention.load(missing, ""));
        Path shortData = write("{\"q_proj.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}",
                new byte[8]);
        assertThrows(IOException.class, () -> SemanticAttention.load(shortData, ""));
    }

    @Test
    void randomInitialisationIsSeededAndBounded() {
        SemanticAttention a = SemanticAttention.random(32, 64, 3);
        SemanticAttention b = SemanticAttention.random(32, 64, 3);
        assertArrayEquals(a.queryWeight(), b.queryWeight());
        for (float v : a.keyWeight()) {
            assertEquals(0, v, 1 / Math.sqrt(64));
        }
    }

    private Path write(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Path file = Files.createTempFile(dir, "attention", ".safetensors");
        Files.write(file, out.array());
        return file;
    }
}
