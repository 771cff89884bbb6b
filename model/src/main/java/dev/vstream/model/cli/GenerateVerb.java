package dev.vstream.model.cli;

import dev.vstream.model.lm.Generator;
import dev.vstream.model.lm.SamplingParams;
import dev.vstream.model.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code generate CHECKPOINT (--ids 1,2,3 | --prompt TEXT) [--max-tokens N] [--temperature T]
 * [--top-p P] [--seed S] [--threads N]}: runs {@link Generator} (defaults: 32 tokens, greedy,
 * top-p 1, seed 0) and streams JSON Lines, one per token as soon as it is chosen,
 *
 * <pre>
 * {"index": 0, "id": 17, "text": " hello"}
 * </pre>
 *
 * then one summary line
 *
 * <pre>
 * {"checkpoint": "...", "model_type": "...", "prompt_ids": [...], "ids": [...],
 *  "stop_reason": "STOP_TOKEN" | "MAX_TOKENS", "text": "...", "seconds": 1.25}
 * </pre>
 *
 * {@code text} (per token: the new characters of the decoded output, special tokens skipped)
 * appears only when the folder has a tokenizer.json. {@code --prompt} needs one; it is
 * encoded with the tokenizer's special tokens (e.g. BOS). Generation stops at any eos id of
 * the tokenizer's special tokens, or of config.json / generation_config.json without one.
 */
final class GenerateVerb {

    static final int DEFAULT_MAX_TOKENS = 32;

    private GenerateVerb() {
    }

    static int run(List<String> args, PrintStream out) {
        CliArguments arguments = new CliArguments(args,
                Set.of("--ids", "--prompt", "--max-tokens", "--temperature", "--top-p", "--seed", "--threads"), Set.of());
        Path folder = Path.of(arguments.positional("CHECKPOINT").getFirst());
        if (arguments.has("--ids") == arguments.has("--prompt")) {
            throw new IllegalArgumentException("generate needs exactly one of --ids and --prompt");
        }
        int threads = arguments.intValue("--threads", Runtime.getRuntime().availableProcessors(), 1);
        // Checked here, before the model loads; the stop ids are added once the tokenizer is known.
        SamplingParams params = new SamplingParams(arguments.doubleValue("--temperature", 0),
                arguments.doubleValue("--top-p", 1), arguments.intValue("--max-tokens", DEFAULT_MAX_TOKENS, 1), Set.of(),
                arguments.longValue("--seed", 0));
        int[] idsArgument = arguments.has("--ids") ? arguments.ids("--ids") : null;
        try (LoadedModel loaded = LoadedModel.open(folder, threads);
                Tokenizer tokenizer = Tokenizer.isPresent(folder) ? Tokenizer.load(folder) : null) {
            int[] prompt;
            if (idsArgument != null) {
                prompt = idsArgument;
            } else if (tokenizer == null) {
                throw new IllegalArgumentException("--prompt needs a tokenizer.json in " + folder + "; use --ids");
            } else {
                prompt = tokenizer.encode(arguments.string("--prompt"));
                if (prompt.length == 0) {
                    throw new IllegalArgumentException("the prompt encodes to no tokens");
                }
            }
            int vocab = loaded.model.vocabSize();
            for (int id : prompt) {
                if (id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
                }
            }
            params = new SamplingParams(params.temperature(), params.topP(), params.maxTokens(),
                    ModelCli.stopTokens(folder, tokenizer), params.seed());
            TextStream text = new TextStream(tokenizer, params.maxTokens());
            long start = System.nanoTime();
            Generator.Result result = new Generator(loaded.model).generate(loaded.model.newContext(), prompt, params,
                    (token, index) -> {
                        StringBuilder line = new StringBuilder("{\"index\": ").append(index).append(", \"id\": ").append(token);
                        String piece = text.append(token);
                        if (piece != null) {
                            Json.string(line.append(", \"text\": "), piece);
                        }
                        out.println(line.append('}'));
                        out.flush();
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            StringBuilder json = new StringBuilder("{\"checkpoint\": ");
            Json.string(json, folder.toString()).append(", \"model_type\": ");
            Json.string(json, loaded.family.modelType).append(", \"prompt_ids\": ");
            Json.ints(json, prompt).append(", \"ids\": ");
            Json.ints(json, result.tokens()).append(", \"stop_reason\": ");
            Json.string(json, result.reason().name());
            if (tokenizer != null) {
                Json.string(json.append(", \"text\": "), tokenizer.decode(result.tokens(), true));
            }
            out.println(json.append(", \"seconds\": ").append(String.format("%.3f", seconds)).append('}'));
        }
        return 0;
    }

    /**
     * Turns tokens into text as they come: the output so far is decoded whole (a token may
     * complete a character or change the spacing of the one before) and only the new suffix is
     * handed out; while the text ends in a replacement character (an incomplete UTF-8
     * sequence) nothing is handed out yet.
     */
    private static final class TextStream {

        private final Tokenizer tokenizer;
        private int[] tokens;
        private int count;
        private String emitted = "";

        TextStream(Tokenizer tokenizer, int capacity) {
            this.tokenizer = tokenizer;
            this.tokens = new int[Math.min(capacity, 1024)];
        }

        /** The new text, or null without a tokenizer. */
        String append(int token) {
            if (tokenizer == null) {
                return null;
            }
            if (count == tokens.length) {
                tokens = Arrays.copyOf(tokens, 2 * count);
            }
            tokens[count++] = token;
            String full = tokenizer.decode(Arrays.copyOf(tokens, count), true);
            if (full.endsWith("\uFFFD")) {
                return "";
            }
            int common = 0;
            while (common < Math.min(full.length(), emitted.length()) && full.charAt(common) == emitted.charAt(common)) {
                common++;
            }
            String piece = full.substring(common);
            emitted = full;
            return piece;
        }
    }
}
