package dev.vstream.ingest.picture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.stream.ResizeMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResizeGeometryTest {

    @Test
    void letterboxesAWideSourceWithBarsAboveAndBelow() {
        ResizeGeometry g = ResizeGeometry.of(1280, 720, 1.0, 224, 224, ResizeMode.LETTERBOX, 1);
        assertThat(g).isEqualTo(new ResizeGeometry(224, 224, 0, 0, 1280, 720, 0, 49, 224, 126));
        assertThat(g.padded()).isTrue();
    }

    @Test
    void letterboxesATallSourceWithBarsLeftAndRight() {
        ResizeGeometry g = ResizeGeometry.of(720, 1280, 1.0, 224, 224, ResizeMode.LETTERBOX, 1);
        assertThat(g).isEqualTo(new ResizeGeometry(224, 224, 0, 0, 720, 1280, 49, 0, 126, 224));
    }

    @Test
    void chromaAlignmentKeepsOffsetsEvenAndCenteredWithinAPixel() {
        ResizeGeometry g = ResizeGeometry.of(1280, 720, 1.0, 224, 224, ResizeMode.LETTERBOX, 2);
        assertThat(g.offsetY()).isEqualTo(48);
        assertThat(g.scaledHeight()).isEqualTo(126);
        int below = 224 - g.offsetY() - g.scaledHeight();
        assertThat(Math.abs(below - g.offsetY())).isLessThanOrEqualTo(2);
    }

    @Test
    void centerCropCutsTheOverflowEquallyFromBothSides() {
        assertThat(ResizeGeometry.of(1280, 720, 1.0, 224, 224, ResizeMode.CENTER_CROP, 1))
                .isEqualTo(new ResizeGeometry(224, 224, 280, 0, 720, 720, 0, 0, 224, 224));
        assertThat(ResizeGeometry.of(720, 1280, 1.0, 224, 224, ResizeMode.CENTER_CROP, 1))
                .isEqualTo(new ResizeGeometry(224, 224, 0, 280, 720, 720, 0, 0, 224, 224));
        assertThat(ResizeGeometry.of(1920, 1080, 1.0, 300, 100, ResizeMode.CENTER_CROP, 2))
                .isEqualTo(new ResizeGeometry(300, 100, 0, 220, 1920, 640, 0, 0, 300, 100));
    }

    @Test
    void sameAspectNeedsNeitherBarsNorCrop() {
        for (ResizeMode mode : ResizeMode.values()) {
            ResizeGeometry g = ResizeGeometry.of(1920, 1080, 1.0, 640, 360, mode, 2);
            assertThat(g).isEqualTo(new ResizeGeometry(640, 360, 0, 0, 1920, 1080, 0, 0, 640, 360));
            assertThat(g.padded()).isFalse();
        }
    }

    @Test
    void anamorphicPixelsAreComparedInDisplaySpace() {
        // PAL DVD widescreen: 720x576 stored, pixels 64:45 wide, displayed 16:9 (1024x576).
        ResizeGeometry fit = ResizeGeometry.of(720, 576, 64.0 / 45, 640, 360, ResizeMode.LETTERBOX, 1);
        assertThat(fit.padded()).isFalse();
        ResizeGeometry crop = ResizeGeometry.of(720, 576, 64.0 / 45, 360, 360, ResizeMode.CENTER_CROP, 1);
        assertThat(crop.cropHeight()).isEqualTo(576);
        assertThat(crop.cropWidth()).isEqualTo(405); // 576 display px wide = 576 / (64/45) stored px
        assertThat(crop.cropX()).isEqualTo(157);
    }

    @Test
    void extremeAspectRatiosStillGiveAtLeastOnePixel() {
        ResizeGeometry g = ResizeGeometry.of(16384, 2, 1.0, 16, 16, ResizeMode.LETTERBOX, 2);
        assertThat(g.scaledWidth()).isEqualTo(16);
        assertThat(g.scaledHeight()).isEqualTo(1);
        ResizeGeometry c = ResizeGeometry.of(16384, 2, 1.0, 16, 16, ResizeMode.CENTER_CROP, 2);
        assertThat(c.cropWidth()).isEqualTo(2);
        assertThat(c.cropX()).isEqualTo(8190);
    }

    @Test
    void randomSizesKeepTheAspectRatioWithinRounding() {
        long seed = 20261126;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 5000; i++) {
            int sw = 16 + random.nextInt(4000);
            int sh = 16 + random.nextInt(4000);
            int tw = 16 + random.nextInt(1000);
            int th = 16 + random.nextInt(1000);
            int alignment = 1 + random.nextInt(2);
            String where = "seed " + seed + " case " + i + ": " + sw + "x" + sh + " -> " + tw + "x" + th;

            ResizeGeometry fit = ResizeGeometry.of(sw, sh, 1.0, tw, th, ResizeMode.LETTERBOX, alignment);
            assertThat(fit.scaledWidth() == tw || fit.scaledHeight() == th).as(where).isTrue();
            // the picture's aspect is the source's within half a pixel of rounding on the shorter side
            double expectedOther = fit.scaledWidth() == tw ? (double) tw * sh / sw : (double) th * sw / sh;
            int other = fit.scaledWidth() == tw ? fit.scaledHeight() : fit.scaledWidth();
            assertThat(Math.abs(other - Math.max(1, expectedOther))).as(where).isLessThanOrEqualTo(0.5 + 1e-9);
            assertCentered(tw, fit.offsetX(), fit.scaledWidth(), alignment, where);
            assertCentered(th, fit.offsetY(), fit.scaledHeight(), alignment, where);

            ResizeGeometry crop = ResizeGeometry.of(sw, sh, 1.0, tw, th, ResizeMode.CENTER_CROP, alignment);
            assertThat(crop.cropWidth() == sw || crop.cropHeight() == sh).as(where).isTrue();
            double cropAspect = (double) crop.cropWidth() / crop.cropHeight();
            double targetAspect = (double) tw / th;
            double tolerance = cropAspect * (1.0 / crop.cropWidth() + 1.0 / crop.cropHeight());
            assertThat(Math.abs(cropAspect - targetAspect)).as(where).isLessThanOrEqualTo(tolerance);
            assertCentered(sw, crop.cropX(), crop.cropWidth(), alignment, where);
            assertCentered(sh, crop.cropY(), crop.cropHeight(), alignment, where);
        }
    }

    private static void assertCentered(int outer, int offset, int inner, int alignment, String where) {
        assertThat(offset % alignment).as(where).isZero();
        assertThat(offset + inner).as(where).isLessThanOrEqualTo(outer);
        int after = outer - offset - inner;
        assertThat(Math.abs(after - offset)).as(where).isLessThanOrEqualTo(2 * alignment - 1);
    }

    @Test
    void rejectsAnEmptySource() {
        assertThatThrownBy(() -> ResizeGeometry.of(0, 10, 1.0, 16, 16, ResizeMode.LETTERBOX, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source size");
    }
}
