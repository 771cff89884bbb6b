package dev.vstream.model.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.vision.VisionTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoVisionEncoderTest {

    @TempDir
    Path temp;

    @Test
    void loadsAsAClipTowerAndEncodesAFrame() {
        Path folder = DemoVisionEncoder.ensure(temp.resolve("vision"));
        assertThat(DemoVisionEncoder.ensure(folder)).isEqualTo(folder);
        try (ComputePool pool = new ComputePool(1); Checkpoint checkpoint = Checkpoint.open(folder)) {
            VisionTransformer tower = VisionTransformer.load(checkpoint,
                    CpuKernels.select(CpuKernels.Choice.AUTO, CpuFeatures.detect(), pool).gemm());
            assertThat(tower.config().hiddenSize()).isEqualTo(DemoVisionEncoder.HIDDEN);
            assertThat(tower.config().imageSize()).isEqualTo(224);
            float[] pixels = new float[3 * 224 * 224];
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) (2 * random.nextDouble() - 1);
            }
            float[] hidden = tower.encode(pixels, 1, -1, tower.newWorkspace(1));
            int values = 257 * DemoVisionEncoder.HIDDEN;
            for (int i = 0; i < values; i++) {
                assertThat(Float.isFinite(hidden[i])).as("value %d", i).isTrue();
            }
        }
    }

    @Test
    void leavesForeignFoldersAlone() throws Exception {
        Path foreign = Files.createDirectories(temp.resolve("clip"));
        Files.writeString(foreign.resolve("config.json"), "{}");
        assertThatThrownBy(() -> DemoVisionEncoder.ensure(foreign)).isInstanceOf(ModelLoadException.class);
    }
}
