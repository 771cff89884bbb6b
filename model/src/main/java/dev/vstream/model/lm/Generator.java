package dev.vstream.model.lm;

import java.util.Arrays;
import java.util.Objects;

/**
 * The generation loop: prefill the prompt, then sample, stream and decode one token at a
 * time until a stop token or {@code maxTokens}. The context advances by the prompt and by
 * every generated token except the last one (it is only fed when another token is wanted),
 * so a stopped context can be continued by decoding the last token.
 */
public final class Generator {

    /** Receives each generated token as soon as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        /** @param index 0 for the first generated token */
        void onToken(int token, int index);
    }

    /** Why generation ended. */
    public enum StopReason { STOP_TOKEN, MAX_TOKENS }

    /** The generated tokens (stop token excluded) and why it ended. */
    public record Result(int[] tokens, StopReason reason) {
        public Result {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }
    }

    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Generates after {@code prompt} (at least one token) in {@code state}. */
    public Result generate(ContextState state, int[] prompt, SamplingParams params, TokenListener listener) {
        Objects.requireNonNull(listener, "listener");
        int vocab = model.vocabSize();
        float[] logits = new float[vocab];
        Sampler sampler = new Sampler(params);
        int[] generated = new int[Math.min(params.maxTokens(), 1024)];
        model.prefill(state, prompt, logits);
        int count = 0;
        while (true) {
            int token = sampler.sample(logits, vocab);
            if (params.stopTokens().contains(token)) {
                return new Result(Arrays.copyOf(generated, count), StopReason.STOP_TOKEN);
            }
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, Math.min(params.maxTokens(), 2 * count));
            }
            generated[count] = token;
            listener.onToken(token, count);
            count++;
            if (count == params.maxTokens()) {
                return new Result(Arrays.copyOf(generated, count), StopReason.MAX_TOKENS);
            }
            model.decodeStep(state, token, logits);
        }
    }
}
