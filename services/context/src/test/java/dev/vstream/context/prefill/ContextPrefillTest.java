package dev.vstream.context.prefill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.memory.MemorySnapshot;
import dev.vstream.api.memory.SlotKind;
import dev.vstream.api.memory.TokenType;
import dev.vstream.context.model.LanguageModelHost;
import dev.vstream.kernels.sparse.Modality;
import dev.vstream.kernels.sparse.ModalitySpans;
import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.KvPrecision;
import dev.vstream.model.lm.PrefillOptions;
import dev.vstream.model.prompt.PromptLayout;
import dev.vstream.model.sambay.SambaYModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one context prefill against a prompt assembled by hand from the layout's description. */
class ContextPrefillTest {
    static final int VISION = 32;

    @TempDir
    static Path temp;
    static LanguageModelHost.Loaded host;
    static SambaYModel model;
    static ContextPrefill prefill;

    @BeforeAll
    static void load() {
        host = (LanguageModelHost.Loaded) LanguageModelHost.load(null, temp.resolve("demo"), VISION, 1);
        model = (SambaYModel) host.newModel();
        prefill = new ContextPrefill(host, model, KvPrecision.F32);
    }

    @AfterAll
    static void close() {
        host.close();
    }

    /** abstract (slot 0), temporal slots 0 and 1 (two tokens each), spatial slot 0 (two tokens). */
    static final SlotKind[] KINDS = {SlotKind.STAR_ABSTRACT, SlotKind.STAR_TEMPORAL, SlotKind.STAR_TEMPORAL,
            SlotKind.STAR_TEMPORAL, SlotKind.STAR_TEMPORAL, SlotKind.STAR_SPATIAL, SlotKind.STAR_SPATIAL};
    static final int[] SLOTS = {0, 0, 0, 1, 1, 0, 0};
    static final long[] TIMES = {0, 1_000_000, 2_000_000, 3_000_000, 3_500_000, 4_250_000, 4_250_000};

    static MemorySnapshot snapshot(int channels, boolean projected, int tokens) {
        SplittableRandom random = new SplittableRandom(7);
        float[] values = new float[tokens * channels];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new MemorySnapshot("cam-p", 4, 4_250_000, 9_000, "clip-test", "0".repeat(64), projected,
                TokenType.F32, channels, Arrays.copyOf(KINDS, tokens), Arrays.copyOf(SLOTS, tokens),
                Arrays.copyOf(TIMES, tokens), values);
    }

    /** The reference prompt: rows of embeddings, and where the memory tokens sit. */
    record Reference(float[] embeddings, int rows, int firstMemory, int memoryEnd) {
    }

    /** Builds the memory prefix of {@link #snapshot} by hand, from PromptLayout's javadoc. */
    static Reference reference(MemorySnapshot snapshot, float[] memoryRows) {
        int d = host.embeddingSize();
        float[] out = new float[4096 * d];
        int[] row = {0};
        java.util.function.Consumer<String> text = s -> {
            for (int id : host.encode(s)) {
                model.embed(id, out, row[0]++ * d);
            }
        };
        java.util.function.IntConsumer memory = t -> System.arraycopy(memoryRows, t * d, out, row[0]++ * d, d);
        text.accept("Video memory:\n");
        text.accept("[abstract]\n");
        text.accept("<t=0.0s>");
        int firstMemory = row[0];
        memory.accept(0);
        text.accept("\n");
        text.accept("[temporal]\n");
        text.accept("<t=1.5s>"); // mean of 1.0 s and 2.0 s
        memory.accept(1);
        memory.accept(2);
        text.accept("<t=3.3s>"); // mean of 3.0 s and 3.5 s is 3.25 s, one decimal
        memory.accept(3);
        memory.accept(4);
        text.accept("\n");
        text.accept("[spatial]\n");
        text.accept("<t=4.3s>"); // 4.25 s
        memory.accept(5);
        memory.accept(6);
        int memoryEnd = row[0];
        text.accept("\n");
        return new Reference(Arrays.copyOf(out, row[0] * d), row[0], firstMemory, memoryEnd);
    }

    static float[] project(MemorySnapshot snapshot) {
        int tokens = snapshot.tokens();
        float[] rows = new float[tokens * host.embeddingSize()];
        host.projector().forward(snapshot.values(), tokens, host.projector().newScratch(tokens), rows);
        return rows;
    }

    static float[] nextLogits(ContextState.Snapshot state, int token) {
        ContextState resumed = state.resume();
        float[] logits = new float[host.vocabSize()];
        model.decodeStep(resumed, token, logits);
        return logits;
    }

    static void assertSameState(ContextState.Snapshot actual, ContextState.Snapshot expected) {
        assertThat(actual.position()).isEqualTo(expected.position());
        assertThat(actual.layout()).isEqualTo(expected.layout());
        assertThat(actual.sizeInBytes()).isEqualTo(expected.sizeInBytes());
        for (String next : new String[] {"Q", "a", "\n"}) {
            int token = host.encode(next)[0];
            float[] want = nextLogits(expected, token);
            float[] got = nextLogits(actual, token);
            float max = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs(want[i] - got[i]));
            }
            assertThat(max).as("largest logit difference after '%s'", next).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void thePrefillEqualsAHandAssembledPrefixRunPlainly() {
        MemorySnapshot snapshot = snapshot(VISION, false, 7);
        Reference reference = reference(snapshot, project(snapshot));
        ContextState state = model.newContext();
        model.prefillEmbeddings(state, reference.embeddings(), reference.rows(), null);

        PrefilledContext context = prefill.prefill(snapshot, PrefillOptions.DENSE);
        assertThat(context.prefixTokens()).isEqualTo(reference.rows()).isEqualTo(state.position());
        assertThat(context.memoryTokens()).isEqualTo(7);
        assertThat(context.streamId()).isEqualTo("cam-p");
        assertThat(context.memoryVersion()).isEqualTo(4);
        assertThat(context.newestPtsMicros()).isEqualTo(4_250_000);
        assertThat(context.newestWallClockMs()).isEqualTo(9_000);
        assertThat(context.promptLayoutVersion()).isEqualTo(PromptLayout.VERSION);
        assertThat(context.modelId()).isEqualTo(host.modelId());
        assertThat(context.sparse()).isFalse();
        assertThat(context.density()).isEqualTo(1.0);
        assertSameState(context.state(), state.snapshot());

        // The prompt itself is the hand-assembled one, row for row.
        ContextPrefill.Prompt prompt = prefill.prompt(snapshot, MemoryWindow.NONE);
        assertThat(prompt.rows()).isEqualTo(reference.rows());
        // Within rounding: the projector's vector GEMM may round differently once the JIT recompiles it.
        assertThat(prompt.embeddings()).containsExactly(reference.embeddings(), org.assertj.core.data.Offset.offset(1e-5f));

        // And a prefix that differs (another time marker) gives another state: the comparison can fail.
        MemorySnapshot later = new MemorySnapshot("cam-p", 4, 4_250_000, 9_000, "clip-test", "0".repeat(64), false,
                TokenType.F32, VISION, KINDS, SLOTS, new long[] {0, 1_000_000, 2_000_000, 3_000_000, 3_500_000,
                        9_250_000, 9_250_000}, snapshot.values());
        float[] a = nextLogits(prefill.prefill(later, PrefillOptions.DENSE).state(), host.encode("Q")[0]);
        float[] b = nextLogits(context.state(), host.encode("Q")[0]);
        assertThat(Arrays.equals(a, b)).isFalse();
    }

    @Test
    void theLongWindowFollowsTheMemoryAsItsOwnPart() {
        MemorySnapshot snapshot = snapshot(VISION, false, 7);
        SplittableRandom random = new SplittableRandom(11);
        float[][] frames = new float[2][2 * VISION];
        for (float[] frame : frames) {
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (float) random.nextGaussian();
            }
        }
        MemoryWindow window = new MemoryWindow(frames, new long[] {5_000_000, 6_040_000}, 2, VISION);
        // By hand: the memory prefix, then "[window]\n", each frame's time marker and tokens, "\n".
        Reference memory = reference(snapshot, project(snapshot));
        int d = host.embeddingSize();
        float[] out = Arrays.copyOf(memory.embeddings(), (memory.rows() + 64) * d);
        int[] row = {memory.rows()};
        java.util.function.Consumer<String> text = t -> {
            for (int id : host.encode(t)) {
                model.embed(id, out, row[0]++ * d);
            }
        };
        text.accept("[window]\n");
        String[] markers = {"<t=5.0s>", "<t=6.0s>"};
        for (int f = 0; f < frames.length; f++) {
            text.accept(markers[f]);
            host.projector().forward(frames[f], 0, 2, host.projector().newScratch(2), out, row[0] * d);
            row[0] += 2;
        }
        int windowEnd = row[0];
        text.accept("\n");
        ContextState state = model.newContext();
        model.prefillEmbeddings(state, out, row[0], null);

        PrefilledContext context = prefill.prefill(snapshot, window, PrefillOptions.DENSE);
        assertThat(context.memoryTokens()).isEqualTo(7 + 4);
        assertThat(context.prefixTokens()).isEqualTo(row[0]).isEqualTo(state.position());
        assertSameState(context.state(), state.snapshot());
        ModalitySpans spans = prefill.prompt(snapshot, window).spans();
        assertThat(spans.of(Modality.VIDEO)).singleElement().satisfies(video -> {
            assertThat(video.start()).isEqualTo(memory.firstMemory());
            assertThat(video.end()).isEqualTo(windowEnd);
        });
        // Without the window the context is the memory's alone.
        assertThat(prefill.prefill(snapshot, PrefillOptions.DENSE).prefixTokens()).isEqualTo(memory.rows());

        MemoryWindow wide = new MemoryWindow(new float[][] {new float[2 * (VISION + 1)]}, new long[] {1}, 2, VISION + 1);
        assertThatThrownBy(() -> prefill.prefill(snapshot, wide, PrefillOptions.DENSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window tokens of width");
        assertThatThrownBy(() -> new MemoryWindow(new float[][] {new float[3]}, new long[] {1}, 2, VISION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 3 values");
    }

    @Test
    void theVideoSpanCoversTheFirstToTheLastMemoryToken() {
        MemorySnapshot snapshot = snapshot(VISION, false, 7);
        Reference reference = reference(snapshot, project(snapshot));
        ModalitySpans spans = prefill.prompt(snapshot, MemoryWindow.NONE).spans();
        assertThat(spans.seqLen()).isEqualTo(reference.rows());
        assertThat(spans.of(Modality.VIDEO)).singleElement().satisfies(video -> {
            assertThat(video.start()).isEqualTo(reference.firstMemory());
            assertThat(video.end()).isEqualTo(reference.memoryEnd());
        });
        assertThat(spans.spans().getFirst().modality()).isEqualTo(Modality.TEXT);
        assertThat(spans.spans().getFirst().end()).isEqualTo(reference.firstMemory());
        assertThat(spans.spans().getLast().modality()).isEqualTo(Modality.TEXT);
        assertThat(spans.spans().getLast().start()).isEqualTo(reference.memoryEnd());
        assertThat(reference.rows() - reference.memoryEnd()).isEqualTo(host.encode("\n").length);
    }

    @Test
    void aSparsePrefillTakesTheSameSpansAndStillFitsTheState() {
        MemorySnapshot snapshot = snapshot(VISION, false, 7);
        PrefilledContext context = prefill.prefill(snapshot, PrefillOptions.auto(1 << 20));
        assertThat(context.sparse()).as("below the minimum length it is dense").isFalse();
        assertThat(context.density()).isEqualTo(1.0);
        assertThat(context.state().position()).isEqualTo(context.prefixTokens());
    }

    @Test
    void unusableSnapshotsAreRefusedWithTheReason() {
        MemorySnapshot empty = new MemorySnapshot("cam-e", 2, 0, 0, "clip-test", "0".repeat(64), false, TokenType.F32,
                VISION, new SlotKind[0], new int[0], new long[0], new float[0]);
        assertThat(ContextPrefill.unusable(host, empty)).contains("memory version 2 holds no tokens");
        assertThatThrownBy(() -> prefill.prefill(empty, PrefillOptions.DENSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cam-e")
                .hasMessageContaining("holds no tokens");

        MemorySnapshot wide = snapshot(VISION + 1, false, 3);
        assertThat(ContextPrefill.unusable(host, wide)).contains("vision tokens of width " + (VISION + 1))
                .contains("takes " + VISION);
        assertThatThrownBy(() -> prefill.prefill(wide, PrefillOptions.DENSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width " + (VISION + 1));

        MemorySnapshot projectedAtVisionWidth = snapshot(VISION, true, 3);
        assertThat(ContextPrefill.unusable(host, projectedAtVisionWidth))
                .contains("projected tokens of width " + VISION).contains("takes " + host.embeddingSize());
        assertThatThrownBy(() -> prefill.prefill(projectedAtVisionWidth, PrefillOptions.DENSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projected");

        assertThat(ContextPrefill.unusable(host, snapshot(VISION, false, 3))).isNull();
        assertThat(ContextPrefill.unusable(host, snapshot(host.embeddingSize(), true, 3))).isNull();
    }

    @Test
    void projectedSnapshotsSkipTheProjector() {
        MemorySnapshot projected = snapshot(host.embeddingSize(), true, 7);
        Reference reference = reference(projected, projected.values());
        ContextPrefill.Prompt prompt = prefill.prompt(projected, MemoryWindow.NONE);
        // Within rounding: the projector's vector GEMM may round differently once the JIT recompiles it.
        assertThat(prompt.embeddings()).containsExactly(reference.embeddings(), org.assertj.core.data.Offset.offset(1e-5f));
        int d = host.embeddingSize();
        assertThat(Arrays.copyOfRange(prompt.embeddings(), reference.firstMemory() * d,
                (reference.firstMemory() + 1) * d)).containsExactly(Arrays.copyOf(projected.values(), d));

        ContextState state = model.newContext();
        model.prefillEmbeddings(state, reference.embeddings(), reference.rows(), null);
        PrefilledContext context = prefill.prefill(projected, PrefillOptions.DENSE);
        assertThat(context.memoryTokens()).isEqualTo(7);
        assertSameState(context.state(), state.snapshot());
    }

    @Test
    void aModelThatPrependsItsOwnMemoryTokensCountsThemInThePrefix() {
        // Nemotron-Flash prepends learned memory tokens on a fresh context: they take positions of the prefix.
        LanguageModelHost.Loaded nemotron = (LanguageModelHost.Loaded) LanguageModelHost.load(
                dev.vstream.model.demo.DemoNemotronCheckpoint.ensure(temp.resolve("nemotron"), VISION), null, VISION, 1);
        try {
            MemorySnapshot snapshot = snapshot(VISION, false, 7);
            ContextPrefill nemotronPrefill = new ContextPrefill(nemotron, nemotron.newModel(), KvPrecision.F32);
            int rows = nemotronPrefill.prompt(snapshot, MemoryWindow.NONE).rows();
            int memoryTokens = ((dev.vstream.model.nemotron.NemotronFlash) nemotron.newModel()).config().memoryTokens();
            assertThat(memoryTokens).isPositive();
            for (PrefillOptions options : new PrefillOptions[] {PrefillOptions.DENSE, PrefillOptions.sparse()}) {
                PrefilledContext context = nemotronPrefill.prefill(snapshot, options);
                assertThat(context.prefixTokens()).isEqualTo(rows + memoryTokens).isEqualTo(context.state().position());
                assertThat(context.memoryTokens()).isEqualTo(7);
                assertThat(context.modelId()).isEqualTo(nemotron.modelId()).isNotEqualTo(host.modelId());
            }
        } finally {
            nemotron.close();
        }
    }

    @Test
    void partNamesDropTheMemoryKind() {
        assertThat(ContextPrefill.partName(SlotKind.STAR_TEMPORAL)).isEqualTo("temporal");
        assertThat(ContextPrefill.partName(SlotKind.STAR_ABSTRACT)).isEqualTo("abstract");
        assertThat(ContextPrefill.partName(SlotKind.STAR_RETRIEVED)).isEqualTo("retrieved");
    }
}
