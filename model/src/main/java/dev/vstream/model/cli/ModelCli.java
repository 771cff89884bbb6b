package dev.vstream.model.cli;

import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.tokenizer.SpecialTokens;
import dev.vstream.model.tokenizer.Tokenizer;
import dev.vstream.model.vision.VisionFeaturesMain;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The model command line: every verb prints JSON to stdout so its numbers can be compared
 * with another implementation (PyTorch, vLLM) token for token.
 *
 * <pre>
 * ModelCli logits   CHECKPOINT --ids 1,2,3 [--all-positions] [--threads N]
 * ModelCli generate CHECKPOINT (--ids 1,2,3 | --prompt TEXT) [--max-tokens N] [--temperature T]
 *                   [--top-p P] [--seed S] [--threads N]
 * ModelCli features CHECKPOINT IMAGE [VisionFeaturesMain options]
 * </pre>
 *
 * The language model is picked by config.json's {@code model_type}: {@code phi4flash} is
 * SambaY, {@code nemotron_flash} Nemotron-Flash. {@code logits} prints one JSON object (see
 * {@link LogitsVerb}); {@code generate} prints JSON Lines, one per token as it is chosen, then
 * a summary (see {@link GenerateVerb}); {@code features} is {@link VisionFeaturesMain}.
 *
 * <p>Exit status: 0 on success, 2 for bad usage (unknown verb or option, malformed value, a
 * missing checkpoint folder, a {@code model_type} this CLI does not run, a prompt without a
 * tokenizer), 1 when the checkpoint or tokenizer cannot be loaded or the run fails. Messages
 * go to stderr.
 */
public final class ModelCli {

    static final String USAGE = """
            usage: ModelCli logits   CHECKPOINT --ids 1,2,3 [--all-positions] [--threads N]
                   ModelCli generate CHECKPOINT (--ids 1,2,3 | --prompt TEXT) [--max-tokens N] [--temperature T]
                                     [--top-p P] [--seed S] [--threads N]
                   ModelCli features CHECKPOINT IMAGE [--layer N] [--keep-cls] [--projector FILE]""";

    private ModelCli() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs one verb; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "logits" -> LogitsVerb.run(rest, out);
                case "generate" -> GenerateVerb.run(rest, out);
                case "features" -> features(rest);
                case "-h", "--help", "help" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> throw new IllegalArgumentException("unknown verb '" + args[0] + "'");
            };
        } catch (IllegalArgumentException | LoadedModel.UnknownModelTypeException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (ModelLoadException | IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Hands the arguments to {@link VisionFeaturesMain#main}, which writes to the process's
     * stdout and exits with its own status on failure (1 load error, 2 usage). Only a
     * missing folder or image is reported here first.
     */
    private static int features(List<String> args) {
        List<String> positional = args.stream().filter(a -> !a.startsWith("--")).toList();
        if (positional.isEmpty() || !Files.isDirectory(Path.of(positional.getFirst()))) {
            throw new IllegalArgumentException(positional.isEmpty() ? "features needs CHECKPOINT IMAGE"
                    : positional.getFirst() + ": no such checkpoint folder");
        }
        if (positional.size() < 2 || !Files.isRegularFile(Path.of(positional.get(1)))) {
            throw new IllegalArgumentException(positional.size() < 2 ? "features needs CHECKPOINT IMAGE"
                    : positional.get(1) + ": no such image file");
        }
        VisionFeaturesMain.main(args.toArray(String[]::new));
        return 0;
    }

    /** Stop ids: the tokenizer's when the folder has one, else the configs' eos ids. */
    static Set<Integer> stopTokens(Path folder, Tokenizer tokenizer) {
        SpecialTokens special = tokenizer != null ? tokenizer.specialTokens()
                : SpecialTokens.read(folder, token -> OptionalInt.empty());
        return new HashSet<>(special.eos());
    }
}
