package dev.vstream.api.question;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuestionRequestTest {

    @Test
    void defaults() {
        QuestionRequest r = QuestionRequest.of("what?");
        assertThat(r.maxTokens()).isNull();
        assertThat(r.temperature()).isZero();
        assertThat(r.topP()).isEqualTo(1.0);
        assertThat(r.stop()).isEmpty();
        assertThat(r.seed()).isZero();
        assertThat(r.sparsePrefill()).isFalse();
    }

    @Test
    void rejectsBrokenOptions() {
        assertThatThrownBy(() -> QuestionRequest.of(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> new QuestionRequest("q", 0, null, null, null, null, null)).hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> new QuestionRequest("q", null, 2.5, null, null, null, null)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new QuestionRequest("q", null, null, 0.0, null, null, null)).hasMessageContaining("topP");
        assertThatThrownBy(() -> new QuestionRequest("q", null, null, null, List.of("a", "b", "c", "d", "e"), null, null))
                .hasMessageContaining("stop");
        assertThatThrownBy(() -> new QuestionRequest("q", null, null, null, List.of(""), null, null)).hasMessageContaining("stop");
    }
}
