package dev.vstream.memory.cluster;

import java.util.SplittableRandom;

/**
 * Synthetic encoder output for property tests: each scene is a fixed random feature map, each frame that map plus
 * Gaussian noise, one frame per second.
 */
public final class SceneStream {

    private final int height;
    private final int width;
    private final int channels;
    private final double noise;
    private final SplittableRandom random;
    private final float[][] scenes;   // (scene) -> (height, width, channels)
    private long frame;

    public SceneStream(int height, int width, int channels, int sceneCount, double noise, long seed) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.noise = noise;
        this.random = new SplittableRandom(seed);
        this.scenes = new float[sceneCount][height * width * channels];
        for (float[] scene : scenes) {
            for (int i = 0; i < scene.length; i++) {
                scene[i] = (float) gaussian();
            }
        }
    }

    /** The next frame (one second after the previous one) showing {@code scene}. */
    public FrameFeatures next(int scene) {
        float[] values = new float[height * width * channels];
        float[] mean = scenes[scene];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean[i] + noise * gaussian());
        }
        return new FrameFeatures(values, height, width, channels, 1_000_000L * frame++);
    }

    /** The noise-free feature map of {@code scene}. */
    public float[] scene(int scene) {
        return scenes[scene];
    }

    private double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
