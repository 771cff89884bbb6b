package dev.vstream.model.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.vstream.kernels.cpu.CpuFeatures;
import dev.vstream.kernels.cpu.CpuKernels;
import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.nemotron.NemotronFlash;
import dev.vstream.model.sambay.SambaYModel;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContextStateCodecTest {

    // ---------------------------------------------------------------- round trips

    @Test
    void everyCacheKindRoundTripsBitExactly() {
        Random random = new Random(42);
        ContextState.Snapshot snapshot = snapshotOfEveryKind(random, "tiny layout: ünïcode ⚙ 😀", 1234);
        List<LayerCache> caches = snapshot.caches();
        assertThat(caches).hasSize(8);
        assertThat(((KvCache) caches.get(7)).frozenPrecision()).isEqualTo(KvPrecision.BF16);
        assertThat(((SlidingWindowKvCache) caches.get(2)).length()).isGreaterThan(((SlidingWindowKvCache) caches.get(2)).window());
        assertThat(((KvCache) caches.get(0)).length()).isZero();

        byte[] encoded = ContextStateCodec.encode(snapshot);
        assertThat(ContextStateCodec.encodedSize(snapshot)).isEqualTo(encoded.length);
        assertThat(Arrays.copyOf(encoded, 4)).isEqualTo("VSCS".getBytes(StandardCharsets.US_ASCII));
        assertThat(le(encoded).getShort(4)).isEqualTo((short) 1);

        ContextState.Snapshot decoded = ContextStateCodec.decode(encoded);
        assertSameSnapshot(decoded, snapshot);
        assertThat(decoded.sizeInBytes()).isEqualTo(snapshot.sizeInBytes());
        // Canonical: the decoded snapshot encodes to the same bytes.
        assertThat(ContextStateCodec.encode(decoded)).isEqualTo(encoded);
        // The decoded snapshot resumes into a context that keeps working (the caches are live).
        ContextState resumed = decoded.resume();
        KvCache kv = resumed.cache(1, KvCache.class);
        int before = kv.length();
        kv.append(new float[2 * kv.kvDim()], 0, kv.kvDim(), 2 * kv.kvDim(), 1);
        assertThat(kv.length()).isEqualTo(before + 1);
        resumed.cache(2, SlidingWindowKvCache.class).append(new float[8], 0, 4, 8, 1);
        assertSameSnapshot(ContextStateCodec.decode(encoded), snapshot);
    }

    @Test
    void emptySnapshotHasTheMinimalSize() {
        ContextState.Snapshot empty = new ContextState("", List.of()).snapshot();
        byte[] encoded = ContextStateCodec.encode(empty);
        assertThat(encoded).hasSize(ContextStateCodec.MIN_SIZE).hasSize(20);
        assertThat(ContextStateCodec.encodedSize(empty)).isEqualTo(20);
        ContextState.Snapshot decoded = ContextStateCodec.decode(encoded);
        assertThat(decoded.layout()).isEmpty();
        assertThat(decoded.position()).isZero();
        assertThat(decoded.caches()).isEmpty();
    }

    @Test
    void layoutByExactBytes() {
        ContextState.Snapshot snapshot = new ContextState("ab", List.of(new SsmState(1, 1))).snapshot();
        byte[] encoded = ContextStateCodec.encode(snapshot);
        // magic, version, layout, position, slots, kind, rows, stateSize, one float, CRC
        assertThat(encoded).hasSize(4 + 2 + 2 + 2 + 4 + 4 + 1 + 4 + 4 + 4 + 4);
        ByteBuffer buf = le(encoded);
        assertThat(buf.getShort(6)).isEqualTo((short) 2);
        assertThat(encoded[8]).isEqualTo((byte) 'a');
        assertThat(buf.getInt(10)).isZero();
        assertThat(buf.getInt(14)).isEqualTo(1);
        assertThat(encoded[18]).isEqualTo((byte) 4);
        assertThat(buf.getInt(19)).isEqualTo(1);
        assertThat(buf.getInt(23)).isEqualTo(1);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(encoded, 0, encoded.length - 4);
        assertThat(buf.getInt(encoded.length - 4)).isEqualTo((int) crc.getValue());
    }

    @Test
    void sambaYContextResumesIdenticallyAfterARoundTrip() {
        try (ComputePool pool = new ComputePool(1);
                Checkpoint checkpoint = Checkpoint.open(resource("/sambay/sambay_tiny"))) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            SambaYModel model = SambaYModel.load(checkpoint, kernels);
            // Longer than the sliding window (8): the rings have wrapped.
            assertResumesIdentically(model, 21, 7, KvPrecision.F32);
            assertResumesIdentically(model, 21, 7, KvPrecision.BF16);
        }
    }

    @Test
    void nemotronFlashContextResumesIdenticallyAfterARoundTrip() {
        try (ComputePool pool = new ComputePool(1);
                Checkpoint checkpoint = Checkpoint.open(resource("/nemotron/flash_tiny"))) {
            CpuKernels kernels = CpuKernels.select(CpuKernels.Choice.SCALAR, CpuFeatures.detect(), pool);
            NemotronFlash model = NemotronFlash.load(checkpoint, kernels);
            assertResumesIdentically(model, 13, 6, KvPrecision.F32);
            assertResumesIdentically(model, 13, 6, KvPrecision.BF16);
        }
    }

    /** Prefills {@code prompt} tokens, round-trips the snapshot, decodes {@code steps} more on both. */
    private static void assertResumesIdentically(LanguageModel model, int prompt, int steps, KvPrecision precision) {
        int vocab = model.vocabSize();
        int[] tokens = new int[prompt + steps];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 37 + 11) % vocab;
        }
        ContextState original = model.newContext();
        float[] logits = new float[vocab];
        model.prefill(original, Arrays.copyOf(tokens, prompt), logits);
        ContextState.Snapshot snapshot = original.snapshot(precision);
        byte[] encoded = ContextStateCodec.encode(snapshot);
        assertThat(encoded).hasSize(Math.toIntExact(ContextStateCodec.encodedSize(snapshot)));
        ContextState.Snapshot decoded = ContextStateCodec.decode(encoded);
        assertSameSnapshot(decoded, snapshot);
        assertThat(decoded.position()).isEqualTo(snapshot.position()).isGreaterThanOrEqualTo(prompt); // + memory tokens

        ContextState fromOriginal = snapshot.resume();
        ContextState fromDecoded = decoded.resume();
        float[] expected = new float[vocab];
        float[] actual = new float[vocab];
        for (int t = prompt; t < tokens.length; t++) {
            model.decodeStep(fromOriginal, tokens[t], expected);
            model.decodeStep(fromDecoded, tokens[t], actual);
            assertThat(bits(actual, actual.length)).as("logits at position %d", t).isEqualTo(bits(expected, expected.length));
        }
        assertThat(fromDecoded.position()).isEqualTo(fromOriginal.position()).isEqualTo(snapshot.position() + steps);
        assertSameSnapshot(fromDecoded.snapshot(), fromOriginal.snapshot());
    }

    // ---------------------------------------------------------------- rejections

    @Test
    void wrongMagicIsRefused() {
        byte[] encoded = small();
        encoded[1] = 'X';
        assertFormatError(encoded, "CRC-32C mismatch"); // the CRC is checked first
        assertThat(assertFormatError(withCrc(encoded), "bad magic").offset()).isEqualTo(1);
        byte[] other = withCrc(Arrays.copyOf("GIF89a and some more bytes".getBytes(StandardCharsets.US_ASCII), 30));
        assertThat(assertFormatError(other, "bad magic").offset()).isZero();
    }

    @Test
    void otherVersionsAreRefused() {
        for (int version : new int[] {0, 2, 0xFFFF}) {
            byte[] encoded = small();
            le(encoded).putShort(4, (short) version);
            assertThat(assertFormatError(withCrc(encoded), "unsupported version " + version).offset()).isEqualTo(4);
        }
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] encoded = small();
        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertFormatError(prefix, length < ContextStateCodec.MIN_SIZE ? "truncated" : "CRC-32C mismatch");
        }
        // A truncation whose CRC is recomputed is caught by the structure.
        for (int length = ContextStateCodec.MIN_SIZE; length < encoded.length; length++) {
            byte[] cut = withCrc(Arrays.copyOf(encoded, length));
            assertFormatError(cut, null);
        }
    }

    @Test
    void everyFlippedBitIsRefused() {
        byte[] encoded = small();
        for (int i = 0; i < encoded.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = encoded.clone();
                flipped[i] ^= (byte) (1 << bit);
                ContextStateFormatException e = assertFormatError(flipped, "CRC-32C mismatch");
                assertThat(e.offset()).isEqualTo(encoded.length - 4);
            }
        }
    }

    @Test
    void hugeClaimedDimensionsAreRefusedBeforeAllocating() {
        int max = Integer.MAX_VALUE;
        List<byte[]> crafted = List.of(
                header(1, slot(1, max, max)),
                header(1, slot(1, 1 << 16, 1 << 15)),  // exactly 2^31 floats
                header(1, slot(1, 1, max)),
                header(1, slot(2, max, max, 1)),
                header(1, slot(2, 1 << 20, 1 << 11, 0)),
                header(1, slot(3, max, max)),
                header(1, slot(4, 1 << 16, 1 << 16)),
                header(1, slot(5, max, max, max)),      // the product overflows a long
                header(1, slot(5, 1 << 11, 1 << 11, 1 << 11)),
                header(1, slot(5, 2, 1, 1)),            // only 2 floats, still more than the 0 bytes left
                header(1, slot(6, max, max)),
                header(1, slot(6, 1 << 16, 1 << 15)),  // 2^31 bf16 entries per array
                header(1, slot(6, 1, 1)));             // 2 x 2 bytes, more than the 0 bytes left
        long start = System.nanoTime();
        for (byte[] bytes : crafted) {
            assertThat(bytes.length).isLessThan(40);
            assertFormatError(bytes, "oversized");
        }
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
        // A huge slot count is refused by the slots' minimal size, before any list is made.
        assertFormatError(header(ContextStateCodec.MAX_SLOTS), "truncated: 65536 slots");
        assertFormatError(header(ContextStateCodec.MAX_SLOTS + 1), "slot count 65537");
        assertFormatError(header(-1), "slot count -1");
        assertFormatError(header(Integer.MIN_VALUE), "slot count");
    }

    @Test
    void nonPositiveDimensionsAreRefused() {
        assertFormatError(header(1, slot(1, 0, 0)), "slot 0 kvDim must be positive, got 0");
        assertFormatError(header(1, slot(1, 4, -1)), "slot 0 length must not be negative, got -1");
        assertFormatError(header(1, slot(2, -3, 1, 0)), "slot 0 window must be positive, got -3");
        assertFormatError(header(1, slot(2, 3, 0, 0)), "slot 0 kvDim must be positive");
        assertFormatError(header(1, slot(2, 3, 1, -5)), "slot 0 length must not be negative");
        assertFormatError(header(1, slot(3, 0, 1)), "slot 0 width must be positive");
        assertFormatError(header(1, slot(3, 1, Integer.MIN_VALUE)), "slot 0 channels must be positive");
        assertFormatError(header(1, slot(4, 1, 0)), "slot 0 stateSize must be positive");
        assertFormatError(header(1, slot(5, 1, 1, 0)), "slot 0 valueDim must be positive");
        ContextStateFormatException e = assertFormatError(header(1, slot(5, 1, -1, 1)), "slot 0 keyDim");
        assertThat(e.offset()).isEqualTo(16 + 1 + 4);
    }

    @Test
    void negativePositionIsRefused() {
        byte[] encoded = small();
        int positionOffset = 8 + le(encoded).getShort(6);
        le(encoded).putInt(positionOffset, -7);
        assertThat(assertFormatError(withCrc(encoded), "negative position -7").offset()).isEqualTo(positionOffset);
    }

    @Test
    void unknownKindsAreRefused() {
        for (int kind : new int[] {0, 7, 9, 0x80, 0xFF}) {
            ContextStateFormatException e = assertFormatError(header(1, slot(kind, 1, 1)), "unknown cache kind " + kind);
            assertThat(e.offset()).isEqualTo(16);
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] encoded = small();
        for (int extra : new int[] {1, 3, 4, 100}) {
            byte[] longer = Arrays.copyOf(encoded, encoded.length + extra); // extra zeros where the CRC was, and more
            ContextStateFormatException e = assertFormatError(withCrc(longer), (extra) + " trailing bytes");
            assertThat(e.offset()).isEqualTo(encoded.length - 4);
        }
        assertFormatError(withCrc(new byte[] {'V', 'S', 'C', 'S', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0}),
                "1 trailing bytes");
    }

    @Test
    void malformedUtf8LayoutsAreRefused() {
        byte[][] layouts = {
                {(byte) 0xC3, 0x28},                 // bad continuation
                {'a', (byte) 0xC0, (byte) 0xAF},     // overlong '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
                {'o', 'k', (byte) 0xE2, (byte) 0x82}, // cut in the middle of a character
                {(byte) 0xFF},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
        };
        for (byte[] layout : layouts) {
            ContextStateFormatException e = assertFormatError(encoding(layout, 0, 0, new byte[0]), "not valid UTF-8");
            assertThat(e.offset()).isBetween(8L, 8L + layout.length);
        }
        // The same bytes of valid UTF-8 decode.
        byte[] valid = "ünï ⚙ 😀 \uFEFF".getBytes(StandardCharsets.UTF_8);
        assertThat(ContextStateCodec.decode(encoding(valid, 3, 0, new byte[0])).layout()).isEqualTo("ünï ⚙ 😀 \uFEFF");
        // A layout length beyond the input.
        byte[] encoded = small();
        le(encoded).putShort(6, (short) 0xFFFF);
        assertFormatError(withCrc(encoded), "truncated: layout needs 65535 bytes");
    }

    @Test
    void encodingRefusesWhatTheFormatCannotHold() {
        ContextState.Snapshot longLayout = new ContextState("x".repeat(0x10000), List.of()).snapshot();
        assertThatThrownBy(() -> ContextStateCodec.encode(longLayout)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 UTF-8 bytes");
        assertThatThrownBy(() -> ContextStateCodec.encodedSize(longLayout)).isInstanceOf(IllegalArgumentException.class);
        ContextState.Snapshot maxLayout = new ContextState("x".repeat(0xFFFF), List.of()).snapshot();
        assertThat(ContextStateCodec.decode(ContextStateCodec.encode(maxLayout)).layout()).hasSize(0xFFFF);
        ContextState.Snapshot surrogate = new ContextState("bad \uD800 layout", List.of()).snapshot();
        assertThatThrownBy(() -> ContextStateCodec.encode(surrogate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not encodable");
        List<LayerCache> many = new ArrayList<>();
        for (int i = 0; i <= ContextStateCodec.MAX_SLOTS; i++) {
            many.add(new KvCache(1));
        }
        ContextState.Snapshot tooMany = new ContextState("many", many).snapshot();
        assertThatThrownBy(() -> ContextStateCodec.encode(tooMany)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65537 slots");
        assertThatThrownBy(() -> ContextStateCodec.decode(null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- fuzzing

    @Test
    void fuzzedInputsOnlyEverThrowTheFormatException() {
        Random random = new Random(20251127L);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(small());
        seeds.add(ContextStateCodec.encode(new ContextState("", List.of()).snapshot()));
        for (int i = 0; i < 6; i++) {
            seeds.add(ContextStateCodec.encode(randomSmallSnapshot(random)));
        }
        int[] interesting = {0, 1, -1, 2, 3, 7, 8, 255, 256, 0xFFFF, 0x10000, 1 << 20, 1 << 29, 1 << 30,
                Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 8};
        int decodedOk = 0;
        int iterations = 20_000;
        for (int iteration = 0; iteration < iterations; iteration++) {
            byte[] input;
            int strategy = random.nextInt(8);
            if (strategy == 7) {
                // Random bytes with a correct CRC, half of them behind a valid magic and version.
                byte[] body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                if (random.nextBoolean() && body.length >= 6) {
                    System.arraycopy(new byte[] {'V', 'S', 'C', 'S', 1, 0}, 0, body, 0, 6);
                }
                input = appendCrc(body);
            } else {
                byte[] base = seeds.get(random.nextInt(seeds.size()));
                input = mutate(base, strategy, random, interesting);
                if (random.nextInt(4) != 0) {
                    input = withCrc(input); // mostly get past the CRC to reach the parser
                }
            }
            ContextState.Snapshot decoded;
            try {
                decoded = ContextStateCodec.decode(input);
            } catch (ContextStateFormatException e) {
                assertThat(e.getMessage()).contains("at byte offset");
                assertThat(e.offset()).isBetween(0L, (long) input.length);
                continue;
            } catch (Throwable t) {
                fail("iteration " + iteration + " (strategy " + strategy + ") threw " + t + " for "
                        + Arrays.toString(input), t);
                return;
            }
            decodedOk++;
            // Whatever decodes is canonical: it encodes back to the same bytes.
            assertThat(ContextStateCodec.encode(decoded)).as("iteration %d", iteration).isEqualTo(input);
        }
        // Some mutations (of payload floats, say) stay valid; most are refused.
        assertThat(decodedOk).isPositive().isLessThan(iterations / 2);
    }

    private static byte[] mutate(byte[] base, int strategy, Random random, int[] interesting) {
        byte[] out = base.clone();
        switch (strategy) {
            case 0, 1 -> { // flip a few bytes
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 2 -> out = Arrays.copyOf(base, random.nextInt(base.length)); // truncate
            case 3 -> { // insert bytes
                int at = random.nextInt(base.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(8)];
                random.nextBytes(inserted);
                out = new byte[base.length + inserted.length];
                System.arraycopy(base, 0, out, 0, at);
                System.arraycopy(inserted, 0, out, at, inserted.length);
                System.arraycopy(base, at, out, at + inserted.length, base.length - at);
            }
            case 4, 5 -> { // an interesting i32 somewhere in the header or the first slots
                if (out.length >= 4) {
                    int at = random.nextInt(Math.min(out.length - 3, 64));
                    le(out).putInt(at, interesting[random.nextInt(interesting.length)]);
                }
            }
            case 6 -> { // delete a range
                int from = random.nextInt(base.length);
                int to = from + random.nextInt(base.length - from + 1);
                ByteArrayOutputStream shorter = new ByteArrayOutputStream();
                shorter.write(base, 0, from);
                shorter.write(base, to, base.length - to);
                out = shorter.toByteArray();
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static ContextStateFormatException assertFormatError(byte[] bytes, String messagePart) {
        Throwable thrown = catchThrowable(() -> ContextStateCodec.decode(bytes));
        assertThat(thrown).as("decoding %s", Arrays.toString(bytes)).isInstanceOf(ContextStateFormatException.class);
        if (messagePart != null) {
            assertThat(thrown).hasMessageContaining(messagePart);
        }
        assertThat(thrown).hasMessageContaining("at byte offset");
        return (ContextStateFormatException) thrown;
    }

    /** A small valid encoding with a cache of each kind. */
    private static byte[] small() {
        return ContextStateCodec.encode(randomSmallSnapshot(new Random(7)));
    }

    private static ContextState.Snapshot randomSmallSnapshot(Random random) {
        List<LayerCache> caches = new ArrayList<>();
        KvCache kv = new KvCache(1 + random.nextInt(2));
        int length = random.nextInt(3);
        kv.append(randomFloats(random, length * 2 * kv.kvDim()), 0, kv.kvDim(), 2 * kv.kvDim(), length);
        caches.add(kv);
        SlidingWindowKvCache ring = new SlidingWindowKvCache(2, 1);
        int seen = random.nextInt(4);
        ring.append(randomFloats(random, seen * 2), 0, 1, 2, seen);
        caches.add(ring);
        ConvState conv = new ConvState(2, 1);
        fill(conv.inputs(), random);
        caches.add(conv);
        SsmState ssm = new SsmState(1, 2);
        fill(ssm.state(), random);
        caches.add(ssm);
        DeltaRuleState delta = new DeltaRuleState(1, 1, 2);
        fill(delta.state(), random);
        caches.add(delta);
        KvCache halves = new KvCache(1 + random.nextInt(2));
        int halfLength = random.nextInt(3);
        halves.append(randomFloats(random, halfLength * 2 * halves.kvDim()), 0, halves.kvDim(), 2 * halves.kvDim(),
                halfLength);
        caches.replaceAll(LayerCache::copy);
        caches.add(halves.frozenCopy(KvPrecision.BF16));
        java.util.Collections.shuffle(caches, random);
        return ContextState.Snapshot.of(random.nextBoolean() ? "sm" : "small ü", random.nextInt(100), caches);
    }

    /** Every kind, with random bits (NaN payloads, infinities, subnormals, -0 included). */
    private static ContextState.Snapshot snapshotOfEveryKind(Random random, String layout, int position) {
        KvCache empty = new KvCache(6);
        KvCache kv = new KvCache(8);
        kv.append(randomFloats(random, 37 * 16), 0, 8, 16, 37);
        SlidingWindowKvCache ring = new SlidingWindowKvCache(5, 4);
        for (int i = 0; i < 3; i++) {
            ring.append(randomFloats(random, 13 * 8), 0, 4, 8, 4 + i);
        }
        ConvState conv = new ConvState(4, 7);
        fill(conv.inputs(), random);
        SsmState ssm = new SsmState(3, 5);
        fill(ssm.state(), random);
        DeltaRuleState delta = new DeltaRuleState(2, 3, 4);
        fill(delta.state(), random);
        delta.state()[0] = Float.intBitsToFloat(0x7FA00001); // a signalling NaN with a payload
        delta.state()[1] = Float.intBitsToFloat(0xFFC12345);
        delta.state()[2] = -0.0f;
        delta.state()[3] = Float.MIN_VALUE;
        SsmState single = new SsmState(1, 1);
        KvCache halves = new KvCache(4);
        halves.append(randomFloats(random, 9 * 8), 0, 4, 8, 9);
        return ContextState.Snapshot.of(layout, position, List.of(empty.copy(), kv.copy(), ring.copy(), conv.copy(),
                ssm.copy(), delta.copy(), single.copy(), halves.frozenCopy(KvPrecision.BF16)));
    }

    private static float[] randomFloats(Random random, int count) {
        float[] out = new float[count];
        fill(out, random);
        return out;
    }

    private static void fill(float[] array, Random random) {
        for (int i = 0; i < array.length; i++) {
            array[i] = random.nextInt(4) == 0 ? (float) random.nextGaussian() : Float.intBitsToFloat(random.nextInt());
        }
    }

    private static int[] kvBits(KvCache cache, boolean keys) {
        float[] all = new float[cache.length() * cache.kvDim()];
        for (int p = 0; p < cache.length(); p++) {
            if (keys) {
                cache.copyKeys(p, 0, all, p * cache.kvDim(), cache.kvDim());
            } else {
                cache.copyValues(p, 0, all, p * cache.kvDim(), cache.kvDim());
            }
        }
        return bits(all, all.length);
    }

    private static int[] bits(float[] array, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = Float.floatToRawIntBits(array[i]);
        }
        return out;
    }

    private static void assertSameSnapshot(ContextState.Snapshot actual, ContextState.Snapshot expected) {
        assertThat(actual.layout()).isEqualTo(expected.layout());
        assertThat(actual.position()).isEqualTo(expected.position());
        assertThat(actual.caches()).hasSameSizeAs(expected.caches());
        for (int slot = 0; slot < expected.caches().size(); slot++) {
            LayerCache a = actual.caches().get(slot);
            LayerCache e = expected.caches().get(slot);
            assertThat(a).as("slot %d", slot).hasSameClassAs(e).hasToString(e.toString());
            assertThat(a.sizeInBytes()).isEqualTo(e.sizeInBytes());
            switch (e) {
                case KvCache kv -> {
                    KvCache other = (KvCache) a;
                    assertThat(other.kvDim()).isEqualTo(kv.kvDim());
                    assertThat(other.length()).isEqualTo(kv.length());
                    assertThat(other.frozenPrecision()).isEqualTo(kv.frozenPrecision());
                    // Read in place: keys() would unfreeze (widen) a bf16 cache.
                    assertThat(kvBits(other, true)).as("slot %d keys", slot).isEqualTo(kvBits(kv, true));
                    assertThat(kvBits(other, false)).as("slot %d values", slot).isEqualTo(kvBits(kv, false));
                }
                case SlidingWindowKvCache ring -> {
                    SlidingWindowKvCache other = (SlidingWindowKvCache) a;
                    assertThat(other.window()).isEqualTo(ring.window());
                    assertThat(other.kvDim()).isEqualTo(ring.kvDim());
                    assertThat(other.length()).isEqualTo(ring.length());
                    int n = ring.window() * ring.kvDim();
                    assertThat(other.keys()).hasSize(n);
                    assertThat(bits(other.keys(), n)).as("slot %d keys", slot).isEqualTo(bits(ring.keys(), n));
                    assertThat(bits(other.values(), n)).as("slot %d values", slot).isEqualTo(bits(ring.values(), n));
                }
                case ConvState conv -> {
                    ConvState other = (ConvState) a;
                    assertThat(other.width()).isEqualTo(conv.width());
                    assertThat(other.channels()).isEqualTo(conv.channels());
                    assertThat(bits(other.inputs(), other.inputs().length)).isEqualTo(bits(conv.inputs(), conv.inputs().length));
                }
                case SsmState ssm -> {
                    SsmState other = (SsmState) a;
                    assertThat(other.rows()).isEqualTo(ssm.rows());
                    assertThat(other.stateSize()).isEqualTo(ssm.stateSize());
                    assertThat(bits(other.state(), other.state().length)).isEqualTo(bits(ssm.state(), ssm.state().length));
                }
                case DeltaRuleState delta -> {
                    DeltaRuleState other = (DeltaRuleState) a;
                    assertThat(other.heads()).isEqualTo(delta.heads());
                    assertThat(other.keyDim()).isEqualTo(delta.keyDim());
                    assertThat(other.valueDim()).isEqualTo(delta.valueDim());
                    assertThat(bits(other.state(), other.state().length)).isEqualTo(bits(delta.state(), delta.state().length));
                }
            }
        }
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code bytes} with its last four bytes replaced by the CRC-32C of the rest. */
    private static byte[] withCrc(byte[] bytes) {
        if (bytes.length < 4) {
            return bytes;
        }
        return appendCrc(Arrays.copyOf(bytes, bytes.length - 4));
    }

    private static byte[] appendCrc(byte[] body) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body);
        byte[] out = Arrays.copyOf(body, body.length + 4);
        le(out).putInt(body.length, (int) crc.getValue());
        return out;
    }

    /** A valid header (layout "", position 0) claiming {@code slots} slots, then {@code rest}, then the CRC. */
    private static byte[] header(int slots, byte[]... rest) {
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (byte[] part : rest) {
            tail.writeBytes(part);
        }
        return encoding(new byte[0], 0, slots, tail.toByteArray());
    }

    private static byte[] encoding(byte[] layout, int position, int slots, byte[] rest) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 2 + 2 + layout.length + 4 + 4 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put("VSCS".getBytes(StandardCharsets.US_ASCII)).putShort((short) 1).putShort((short) layout.length).put(layout);
        buf.putInt(position).putInt(slots).put(rest);
        return appendCrc(buf.array());
    }

    /** A slot's kind byte and dimensions, no payload. */
    private static byte[] slot(int kind, int... dimensions) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 * dimensions.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) kind);
        for (int d : dimensions) {
            buf.putInt(d);
        }
        return buf.array();
    }

    private static Path resource(String name) {
        URL url = ContextStateCodecTest.class.getResource(name);
        if (url == null) {
            fail("test resource " + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
