package dev.vstream.kernels.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.kernels.attention.AttentionShape;
import dev.vstream.kernels.attention.TiledAttention;
import dev.vstream.kernels.linalg.ComputePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline search on a synthetic calibration sample, and its JSON round trip. */
class PatternSearchTest {

    @Test
    void gridHeadsGetGridWithinBudgetAndTheConfigRoundTrips(@TempDir Path dir) throws Exception {
        long seed = 0x5EA2_C400L;
        Random random = new Random(seed);
        int frame = 20;
        ModalitySpans spans = ModalitySpans.video(41, frame * 180 + 7, 29);
        AttentionShape shape = new AttentionShape(4, 2, spans.seqLen(), 64);
        // Heads 0-1 (kv head 0) with strong grid structure, heads 2-3 with none.
        SyntheticVideo input = new SyntheticVideo(shape, spans, frame, new double[] {10, 10, 0, 0}, random.nextLong());
        List<HeadConfig> candidates = List.of(
                new HeadConfig(Boundary.QUERY, new DensePattern(), new AShapePattern(16, 256)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new GridPattern(16, 256, 4, 0.95, 2, 64)),
                new HeadConfig(Boundary.QUERY, new DensePattern(), new VerticalSlashPattern(100, 200)));
        try (ComputePool pool = new ComputePool(2)) {
            PermutedBlockSparseAttention attention =
                    new PermutedBlockSparseAttention(new TiledAttention(pool, TiledAttention.TILE, 64));
            PatternSearch search = new PatternSearch(attention, candidates, 0.5, 0.9, 128);
            List<PatternSearch.Choice> choices = search.searchLayer(input.q, input.k, shape, spans);
            String testCase = "seed " + seed + " " + shape + ": " + choices;
            System.out.println(testCase);
            for (int h = 0; h < 2; h++) {
                assertThat(choices.get(h).config().video()).as(testCase).isInstanceOf(GridPattern.class);
                assertThat(choices.get(h).recall()).as(testCase).isGreaterThanOrEqualTo(0.9);
                assertThat(choices.get(h).density()).as(testCase).isLessThanOrEqualTo(0.5);
            }
            for (PatternSearch.Choice choice : choices) {
                assertThat(choice.config().isDense() || choice.recall() >= 0.9).as(testCase).isTrue();
            }
            PatternConfig config = new PatternConfig(List.of(PatternSearch.configs(choices), candidates));
            Path file = dir.resolve("patterns.json");
            config.write(file);
            assertThat(PatternConfig.read(file)).as(Files.readString(file)).isEqualTo(config);
        }
    }

    @Test
    void malformedConfigNamesThePlace() {
        assertThatThrownBy(() -> PatternConfig.parse("{\"version\": 1, \"layers\": [[{\"boundary\": \"QUERY\", "
                + "\"text\": {\"type\": \"dense\"}, \"video\": {\"type\": \"spiral\"}}]]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 0 head 0 video")
                .hasMessageContaining("spiral");
        assertThatThrownBy(() -> PatternConfig.parse("{\"layers\": [}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    }
}
