package dev.vstream.memory.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vstream.memory.intake.TestModels;
import org.junit.jupiter.api.Test;

class FrameImagesTest {

    @Test
    void decodesAFrameAtLeastAsLargeAsTheEncoderInput() {
        assertThat(FrameImages.decode(TestModels.jpeg(64, 64, 1), 64, 64, 56)).isInstanceOfSatisfying(
                FrameImages.Decoded.Image.class, i -> assertThat(i.image().getWidth()).isEqualTo(64));
    }

    @Test
    void refusesWithAReason() {
        assertThat(FrameImages.decode(new byte[] {1, 2, 3}, 64, 64, 56)).isEqualTo(
                new FrameImages.Decoded.Refused(false, "payload is not an image javax.imageio can read"));
        assertThat(FrameImages.decode(TestModels.jpeg(64, 64, 1), 64, 48, 56)).isEqualTo(
                new FrameImages.Decoded.Refused(false, "decoded image is 64x64 but the frame declares 64x48"));
        assertThat(FrameImages.decode(TestModels.jpeg(64, 40, 1), 64, 40, 56)).isEqualTo(
                new FrameImages.Decoded.Refused(true, "frame 64x40 is smaller than the encoder's 56x56 input"));
    }
}
