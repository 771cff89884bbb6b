package dev.vstream.api.question;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.api.frame.MalformedRecordException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuestionCodecTest {

    static final QuestionRecord QUESTION = new QuestionRecord("q-1", "cam-1", 1_700_000_000_000L,
            new QuestionRequest("what is on screen? ünï", 32, 0.7, 0.9, List.of("\n\n", "END"), 42L, true));
    static final AnswerReport REPORT = new AnswerReport("q-1", "cam-1", "a red square", "stop", 12, 12, 6_000_000,
            1_700_000_000_000L, 250, 681, 740, 4, 12.5, 40.25, 0.5, true, false, false, 1, "demo", true);

    @Test
    void questionsRoundTrip() throws Exception {
        assertThat(QuestionCodec.decode("cam-1", QuestionCodec.encode(QUESTION))).isEqualTo(QUESTION);
        QuestionRecord defaults = new QuestionRecord("q-2", "cam-1", 0, QuestionRequest.of("x"));
        assertThat(QuestionCodec.decode(QuestionCodec.encode(defaults))).isEqualTo(defaults);
    }

    @Test
    void answersRoundTrip() throws Exception {
        AnswerRecord answered = new AnswerRecord.Answered(REPORT);
        assertThat(AnswerCodec.decode(AnswerCodec.encode(answered))).isEqualTo(answered);
        AnswerRecord rejected = new AnswerRecord.Rejected("q-1", "cam-1", 404, "Unknown stream", "no memory of cam-1");
        assertThat(AnswerCodec.decode(AnswerCodec.encode(rejected))).isEqualTo(rejected);
    }

    @Test
    void strictDecoding() {
        byte[] good = QuestionCodec.encode(QUESTION);
        assertThatThrownBy(() -> QuestionCodec.decode("cam-2", good)).hasMessageContaining("differs from the key");
        assertThatThrownBy(() -> QuestionCodec.decode(Arrays.copyOf(good, good.length + 1)))
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> QuestionCodec.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(MalformedRecordException.class);
        byte[] version = good.clone();
        version[4] = 2;
        assertThatThrownBy(() -> QuestionCodec.decode(version)).hasMessageContaining("schema version 2");
        assertThatThrownBy(() -> AnswerCodec.decode(good)).hasMessageContaining("bad magic");
    }

    /** Every truncation and random byte flip either decodes to a valid record or fails with a reason. */
    @Test
    void fuzzedValuesNeverEscapeAsOtherExceptions() {
        byte[][] goods = {QuestionCodec.encode(QUESTION), AnswerCodec.encode(new AnswerRecord.Answered(REPORT))};
        SplittableRandom random = new SplittableRandom(7);
        for (byte[] good : goods) {
            for (int n = 0; n < good.length; n++) {
                byte[] cut = Arrays.copyOf(good, n);
                assertThatThrownBy(() -> decodeEither(cut)).isInstanceOf(MalformedRecordException.class);
            }
            for (int i = 0; i < 2000; i++) {
                byte[] bad = good.clone();
                bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
                try {
                    decodeEither(bad);
                } catch (MalformedRecordException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
    }

    private static Object decodeEither(byte[] value) throws MalformedRecordException {
        return value.length >= 4 && value[3] == 'Q' ? QuestionCodec.decode(value) : AnswerCodec.decode(value);
    }
}
