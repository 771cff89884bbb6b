package dev.vstream.ingest.picture;

import dev.vstream.api.stream.ResizeMode;

/**
 * Where a source picture goes in the target: the source region that is scaled (all of it for LETTERBOX,
 * a centered window for CENTER_CROP) and the target rectangle it is scaled into (centered with black bars
 * for LETTERBOX, the whole target for CENTER_CROP). Aspect ratios are compared in display space, so
 * anamorphic sources (pixel aspect != 1) come out undistorted.
 *
 * <p>Offsets are multiples of {@code alignment}: with 4:2:0 chroma (alignment 2) a rectangle starting on an
 * odd row or column would split a chroma sample, so centering is exact to within one pixel.
 *
 * @param cropX        left edge of the scaled source region, in source pixels
 * @param cropY        top edge of the scaled source region
 * @param cropWidth    width of the scaled source region
 * @param cropHeight   height of the scaled source region
 * @param offsetX      left edge of the picture inside the target
 * @param offsetY      top edge of the picture inside the target
 * @param scaledWidth  width the source region is scaled to
 * @param scaledHeight height the source region is scaled to
 */
public record ResizeGeometry(int targetWidth, int targetHeight, int cropX, int cropY, int cropWidth, int cropHeight,
                             int offsetX, int offsetY, int scaledWidth, int scaledHeight) {

    public ResizeGeometry {
        if (cropWidth < 1 || cropHeight < 1 || scaledWidth < 1 || scaledHeight < 1) {
            throw new IllegalArgumentException("empty geometry: crop " + cropWidth + "x" + cropHeight + ", scaled " + scaledWidth + "x" + scaledHeight);
        }
        if (offsetX < 0 || offsetY < 0 || offsetX + scaledWidth > targetWidth || offsetY + scaledHeight > targetHeight) {
            throw new IllegalArgumentException("scaled picture " + scaledWidth + "x" + scaledHeight + "+" + offsetX + "+" + offsetY
                    + " leaves the target " + targetWidth + "x" + targetHeight);
        }
    }

    /**
     * @param pixelAspect the source's sample aspect ratio (width of a pixel over its height; 1 for square pixels)
     * @param alignment   1, or 2 for 4:2:0 planes
     */
    public static ResizeGeometry of(int sourceWidth, int sourceHeight, double pixelAspect, int targetWidth, int targetHeight,
                                    ResizeMode mode, int alignment) {
        if (sourceWidth < 1 || sourceHeight < 1) {
            throw new IllegalArgumentException("source size must be positive, got " + sourceWidth + "x" + sourceHeight);
        }
        double par = pixelAspect > 0 && Double.isFinite(pixelAspect) ? pixelAspect : 1.0;
        double sourceAspect = sourceWidth * par / sourceHeight;
        double targetAspect = (double) targetWidth / targetHeight;
        return switch (mode) {
            case LETTERBOX -> {
                int w = targetWidth;
                int h = targetHeight;
                if (sourceAspect >= targetAspect) {
                    h = clamp((int) Math.round(targetWidth / sourceAspect), targetHeight);
                } else {
                    w = clamp((int) Math.round(targetHeight * sourceAspect), targetWidth);
                }
                yield new ResizeGeometry(targetWidth, targetHeight, 0, 0, sourceWidth, sourceHeight,
                        centered(targetWidth - w, alignment), centered(targetHeight - h, alignment), w, h);
            }
            case CENTER_CROP -> {
                int w = sourceWidth;
                int h = sourceHeight;
                if (sourceAspect > targetAspect) {
                    w = clamp((int) Math.round(sourceHeight * targetAspect / par), sourceWidth);
                } else {
                    h = clamp((int) Math.round(sourceWidth * par / targetAspect), sourceHeight);
                }
                yield new ResizeGeometry(targetWidth, targetHeight, centered(sourceWidth - w, alignment),
                        centered(sourceHeight - h, alignment), w, h, 0, 0, targetWidth, targetHeight);
            }
        };
    }

    /** True when black bars surround the picture. */
    public boolean padded() {
        return scaledWidth != targetWidth || scaledHeight != targetHeight;
    }

    private static int clamp(int value, int max) {
        return Math.max(1, Math.min(max, value));
    }

    /** Half the slack, rounded down to the alignment. */
    private static int centered(int slack, int alignment) {
        int half = slack / 2;
        return half - half % alignment;
    }
}
