package dev.vstream.model.cli;

import dev.vstream.model.lm.ContextState;
import dev.vstream.model.lm.LanguageModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code logits CHECKPOINT --ids 1,2,3 [--all-positions] [--threads N]}: one prefill of the
 * ids on a fresh context, printed as
 *
 * <pre>
 * {"checkpoint": "...", "model_type": "phi4flash", "vocab": 256, "ids": [1, 2, 3],
 *  "positions": [2],
 *  "logits": [[...vocab floats...]],
 *  "top5": [[{"id": 17, "logit": 3.25}, ...]]}
 * </pre>
 *
 * one row per position in {@code positions} (the last, or all with {@code --all-positions});
 * {@code top5} is sorted by logit, ties by lower id.
 */
final class LogitsVerb {

    static final int TOP = 5;

    private LogitsVerb() {
    }

    static int run(List<String> args, PrintStream out) {
        CliArguments arguments = new CliArguments(args, Set.of("--ids", "--threads"), Set.of("--all-positions"));
        Path folder = Path.of(arguments.positional("CHECKPOINT").getFirst());
        if (!arguments.has("--ids")) {
            throw new IllegalArgumentException("logits needs --ids");
        }
        int[] ids = arguments.ids("--ids");
        boolean all = arguments.has("--all-positions");
        int threads = arguments.intValue("--threads", Runtime.getRuntime().availableProcessors(), 1);
        try (LoadedModel loaded = LoadedModel.open(folder, threads)) {
            LanguageModel model = loaded.model;
            int vocab = model.vocabSize();
            for (int id : ids) {
                if (id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
                }
            }
            int rows = all ? ids.length : 1;
            float[] logits = new float[rows * vocab];
            ContextState state = model.newContext();
            model.prefill(state, ids, all ? LanguageModel.Logits.ALL_POSITIONS : LanguageModel.Logits.LAST_POSITION,
                    logits);
            StringBuilder json = new StringBuilder(rows * vocab * 12 + 256);
            json.append("{\"checkpoint\": ");
            Json.string(json, folder.toString()).append(", \"model_type\": ");
            Json.string(json, loaded.family.modelType).append(", \"vocab\": ").append(vocab).append(", \"ids\": ");
            Json.ints(json, ids).append(",\n \"positions\": [");
            for (int r = 0; r < rows; r++) {
                json.append(r == 0 ? "" : ", ").append(all ? r : ids.length - 1);
            }
            json.append("],\n \"logits\": [");
            for (int r = 0; r < rows; r++) {
                json.append(r == 0 ? "" : ",\n  ");
                Json.floats(json, logits, r * vocab, vocab, "logit");
            }
            json.append("],\n \"top5\": [");
            for (int r = 0; r < rows; r++) {
                json.append(r == 0 ? "" : ",\n  ").append('[');
                int[] top = top(logits, r * vocab, vocab, TOP);
                for (int k = 0; k < top.length; k++) {
                    json.append(k == 0 ? "" : ", ").append("{\"id\": ").append(top[k]).append(", \"logit\": ");
                    Json.number(json, logits[r * vocab + top[k]], "logit").append('}');
                }
                json.append(']');
            }
            out.println(json.append("]}"));
        }
        return 0;
    }

    /** Indices of the {@code k} largest of {@code values[from, from + n)}, descending, ties by lower index. */
    static int[] top(float[] values, int from, int n, int k) {
        int count = Math.min(k, n);
        int[] best = new int[count];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float v = values[from + i];
            int at = filled;
            // Insertion into a sorted list of at most k: strict '>' keeps the lower index first on ties.
            while (at > 0 && v > values[from + best[at - 1]]) {
                at--;
            }
            if (at < count) {
                int end = Math.min(filled, count - 1);
                System.arraycopy(best, at, best, at + 1, end - at);
                best[at] = i;
                filled = Math.min(filled + 1, count);
            }
        }
        return best;
    }
}
