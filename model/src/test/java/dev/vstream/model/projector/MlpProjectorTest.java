package dev.vstream.model.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.loader.ShapeMismatchException;
import dev.vstream.model.vision.Goldens;
import dev.vstream.model.vision.Towers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The mlp2x_gelu projector against nn.Sequential(Linear(64, 96), GELU(), Linear(96, 96)) in
 * float64, applied to the tiny CLIP's penultimate patch features (4 frames x 16 tokens).
 */
class MlpProjectorTest {

    @ParameterizedTest
    @ValueSource(strings = {"mm_projector.safetensors", "mm_projector_plain.safetensors"})
    void matchesTheReference(String file) {
        for (String gemm : new String[] {"vector", "scalar"}) {
            try (MlpProjector projector = MlpProjector.load(Goldens.path("projector/" + file), Towers.gemm(gemm))) {
                assertThat(projector.visionSize()).isEqualTo(64);
                assertThat(projector.outputSize()).isEqualTo(96);
                float[] features = Goldens.read("goldens/clip_tiny.safetensors", "features");
                int rows = features.length / 64;
                float[] out = new float[rows * 96];
                projector.forward(features, rows, projector.newScratch(rows), out);
                Goldens.compare("projected (" + file + ", " + gemm + ")", out,
                        Goldens.read("goldens/clip_tiny.safetensors", "projected"))
                        .assertRelBelow(Goldens.FEATURE_REL_TOLERANCE);
            }
        }
    }

    @Test
    void missingProjectorIsNamed() {
        assertThatThrownBy(() -> MlpProjector.load(Goldens.path("clip_tiny/model.safetensors"), Towers.VECTOR))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'model.mm_projector.0.weight'").hasMessageContaining("'0.weight'");
    }

    @Test
    void wrongSecondLayerShapeIsAShapeMismatch(@TempDir Path dir) throws IOException {
        // Layer 2 as (96, 64): valid safetensors, wrong shape for an lm -> lm Linear.
        Path file = dir.resolve("bad.safetensors");
        String header = "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[96,64],\"data_offsets\":[0,24576]},"
                + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[96],\"data_offsets\":[24576,24960]},"
                + "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[96,64],\"data_offsets\":[24960,49536]},"
                + "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[96],\"data_offsets\":[49536,49920]}}";
        while (header.length() % 8 != 0) {
            header += " ";
        }
        byte[] json = header.getBytes();
        byte[] bytes = new byte[8 + json.length + 49920];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) ((long) json.length >>> (8 * i));
        }
        System.arraycopy(json, 0, bytes, 8, json.length);
        Files.write(file, bytes);
        assertThatThrownBy(() -> MlpProjector.load(file, Towers.VECTOR)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("'2.weight'").hasMessageContaining("expected [96, 96]");
    }
}
