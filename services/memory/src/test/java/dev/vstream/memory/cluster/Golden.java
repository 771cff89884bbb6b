package dev.vstream.memory.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vstream.memory.star.SafetensorsReader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * One golden stream of reference/memory/make_goldens.py: inputs, the reference's memory after every frame, and
 * the comparison of a Java memory's read-out with it. A missing golden fails.
 */
public final class Golden {

    /** Token features: both sides compute in double from float32 state; accumulation order differs. */
    public static final double FEATURE_TOLERANCE = 1e-5;
    /** Token times are rounded micros of double means; a rounding flip moves one micro. */
    public static final long TIME_TOLERANCE_MICROS = 1;

    private final String name;
    private final Path path;
    private final SafetensorsReader.Contents contents;
    private final int frames;
    private final int maxTokens;
    private final int channels;
    private double maxAbsError;
    private double maxRelError;
    private long comparedValues;
    private long comparedAssignments;

    private Golden(String name, Path path, SafetensorsReader.Contents contents) {
        this.name = name;
        this.path = path;
        this.contents = contents;
        long[] shape = contents.tensor("tokens").shape();
        this.frames = (int) shape[0];
        this.maxTokens = (int) shape[1];
        this.channels = (int) shape[2];
    }

    public static Golden load(String name) throws IOException, URISyntaxException {
        URL url = Golden.class.getResource("/memory-goldens/" + name + ".safetensors");
        assertNotNull(url, "golden memory-goldens/" + name + ".safetensors is missing; run "
                + "reference/memory/make_goldens.py");
        Path path = Path.of(url.toURI());
        return new Golden(name, path, SafetensorsReader.read(path));
    }

    /** The golden file (STAR goldens also hold the semantic-attention projections). */
    public Path path() {
        return path;
    }

    public String name() {
        return name;
    }

    public Map<String, String> metadata() {
        return contents.metadata();
    }

    public int intConfig(String key) {
        return Integer.parseInt(required(key));
    }

    public double doubleConfig(String key) {
        return Double.parseDouble(required(key));
    }

    private String required(String key) {
        String v = contents.metadata().get(key);
        assertNotNull(v, name + ": metadata lacks " + key);
        return v;
    }

    public SafetensorsReader.Tensor tensor(String tensorName) {
        return contents.tensor(tensorName);
    }

    public int frames() {
        return frames;
    }

    /** Input frame t. */
    public FrameFeatures frame(int t) {
        long[] shape = contents.tensor("frames").shape();
        int h = (int) shape[1];
        int w = (int) shape[2];
        int c = (int) shape[3];
        float[] all = contents.tensor("frames").toFloats();
        float[] values = new float[h * w * c];
        System.arraycopy(all, t * values.length, values, 0, values.length);
        return new FrameFeatures(values, h, w, c, contents.tensor("timestamps").toLongs()[t]);
    }

    /** All input frames, decoded once. */
    public FrameFeatures[] allFrames() {
        FrameFeatures[] out = new FrameFeatures[frames];
        for (int t = 0; t < frames; t++) {
            out[t] = frame(t);
        }
        return out;
    }

    /** Compares the tokens read after frame t with the reference: count, kinds, slots, times, features. */
    public <K extends Enum<K>> void assertTokens(int t, MemoryTokens<K> tokens) {
        int count = contents.tensor("token_count").toInts()[t];
        assertEquals(count, tokens.count(), name + " frame " + t + ": token count");
        int[] kinds = contents.tensor("token_kind").toInts();
        int[] slots = contents.tensor("token_slot").toInts();
        long[] times = contents.tensor("token_time").toLongs();
        float[] features = contents.tensor("tokens").toFloats();
        for (int i = 0; i < count; i++) {
            int row = t * maxTokens + i;
            assertEquals(kinds[row], tokens.kind(i).ordinal(), name + " frame " + t + " token " + i + ": kind");
            assertEquals(slots[row], tokens.slot(i), name + " frame " + t + " token " + i + ": slot");
            assertTrue(Math.abs(times[row] - tokens.timestampMicros(i)) <= TIME_TOLERANCE_MICROS,
                    name + " frame " + t + " token " + i + ": time " + tokens.timestampMicros(i) + " vs "
                            + times[row]);
            for (int c = 0; c < channels; c++) {
                double expected = features[row * channels + c];
                double actual = tokens.features()[i * channels + c];
                double abs = Math.abs(actual - expected);
                comparedValues++;
                maxAbsError = Math.max(maxAbsError, abs);
                maxRelError = Math.max(maxRelError, abs / Math.max(1e-3, Math.abs(expected)));
                assertTrue(abs <= FEATURE_TOLERANCE, name + " frame " + t + " token " + i + " channel " + c
                        + ": " + actual + " vs " + expected + " (tolerance " + FEATURE_TOLERANCE + ")");
            }
        }
    }

    /** Compares the clusters after frame t: last K-means labels (identical), weights and times. */
    public void assertClusters(int t, StreamingKMeans clusters) {
        int slots = clusters.slots();
        int[] labels = contents.tensor("kmeans_labels").toInts();
        int[] expectedLabels = new int[slots + 1];
        int[] actualLabels = new int[slots + 1];
        for (int i = 0; i <= slots; i++) {
            expectedLabels[i] = labels[t * (slots + 1) + i];
            actualLabels[i] = clusters.label(i);
        }
        assertArrayEquals(expectedLabels, actualLabels, name + " frame " + t + ": K-means assignment");
        if (expectedLabels[0] >= 0) {
            comparedAssignments++;
        }
        double[] weights = contents.tensor("cluster_weights").toDoubles();
        double[] times = contents.tensor("cluster_times").toDoubles();
        for (int k = 0; k < clusters.count(); k++) {
            assertEquals(weights[t * slots + k], clusters.weight(k), 1e-9, name + " frame " + t + " cluster " + k
                    + ": weight");
            assertEquals(times[t * slots + k], clusters.time(k), 1e-3, name + " frame " + t + " cluster " + k
                    + ": time");
        }
    }

    /** Compares the retrieved (STAR) or detail (Flash) frame indices after frame t. */
    public void assertRetrieved(int t, long[] actual, int n) {
        SafetensorsReader.Tensor tensor = contents.tensor("retrieved");
        int width = (int) tensor.shape()[1];
        long[] all = tensor.toLongs();
        int expectedCount = 0;
        while (expectedCount < width && all[t * width + expectedCount] >= 0) {
            expectedCount++;
        }
        long[] expected = java.util.Arrays.copyOfRange(all, t * width, t * width + expectedCount);
        assertArrayEquals(expected, java.util.Arrays.copyOf(actual, n), name + " frame " + t + ": retrieved frames");
    }

    public double maxAbsError() {
        return maxAbsError;
    }

    public double maxRelError() {
        return maxRelError;
    }

    public String report() {
        return String.format("%s: %d frames, %d token values, max abs error %.3e, max rel error %.3e (tolerance "
                + "%.0e); %d K-means assignments and all retrievals identical", name, frames, comparedValues,
                maxAbsError, maxRelError, FEATURE_TOLERANCE, comparedAssignments);
    }
}
