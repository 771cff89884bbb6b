package dev.vstream.model.projector;

import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.tensor.Tensor;
import dev.vstream.model.loader.Checkpoint;
import dev.vstream.model.loader.ModelLoadException;
import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.vision.Activation;
import dev.vstream.model.vision.Linear;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LLaVA's {@code mlp2x_gelu} multimodal projector, which Flash-VStream uses to map visual tokens
 * into the language model: {@code y = W2 GELU(W1 x + b1) + b2} with {@code W1: (lm, vision)},
 * {@code W2: (lm, lm)} and the exact (erf) GELU of {@code nn.GELU()}. The weights are
 * {@code nn.Sequential} entries 0 and 2, named {@code model.mm_projector.{0,2}.{weight,bias}} in
 * LLaVA-style checkpoints, {@code mm_projector.*} in some exports, or plain {@code 0.weight} when
 * the Sequential was saved on its own. Sizes come from the weights, which stay where they are
 * stored (read in place by the injected {@link Gemm}); a projector loaded from its own file
 * owns that file and unmaps it on {@link #close}.
 */
public final class MlpProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MlpProjector.class);
    static final List<String> PREFIXES = List.of("model.mm_projector.", "mm_projector.", "");

    private final Linear first;          // (lm) <- (vision)
    private final Linear second;         // (lm) <- (lm)
    private final SafetensorsFile owned; // the file the weights live in, when this owns it

    private MlpProjector(Linear first, Linear second, SafetensorsFile owned) {
        this.first = first;
        this.second = second;
        this.owned = owned;
    }

    /** Loads the projector from its own safetensors file (e.g. {@code mm_projector.safetensors}). */
    public static MlpProjector load(Path safetensors, Gemm gemm) {
        SafetensorsFile file = SafetensorsFile.open(safetensors);
        try {
            Linear[] layers = load(file.path().toString(), file::contains, file::tensor, file::tensor, gemm);
            return new MlpProjector(layers[0], layers[1], file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Loads the projector from a whole LLaVA-style checkpoint, which must stay open. */
    public static MlpProjector load(Checkpoint checkpoint, Gemm gemm) {
        Linear[] layers = load(checkpoint.folder().toString(), checkpoint::has, checkpoint::tensor, checkpoint::tensor,
                gemm);
        return new MlpProjector(layers[0], layers[1], null);
    }

    private interface ShapedLookup {
        Tensor tensor(String name, long... shape);
    }

    private interface Lookup {
        Tensor tensor(String name);
    }

    private static Linear[] load(String source, Predicate<String> has, Lookup any, ShapedLookup shaped, Gemm gemm) {
        String prefix = PREFIXES.stream().filter(p -> has.test(p + "0.weight")).findFirst()
                .orElseThrow(() -> new ModelLoadException(source + ": no mlp2x_gelu projector: none of "
                        + PREFIXES.stream().map(p -> "'" + p + "0.weight'").toList() + " is present"));
        Tensor w1 = any.tensor(prefix + "0.weight");
        if (w1.shape().rank() != 2) {
            throw new ModelLoadException(source + ": tensor '" + prefix + "0.weight' has shape " + w1.shape()
                    + ", expected (lm, vision)");
        }
        long lm = w1.shape().dim(0);
        long vision = w1.shape().dim(1);
        Linear first = Linear.of(w1, shaped.tensor(prefix + "0.bias", lm), gemm);
        Linear second = Linear.of(shaped.tensor(prefix + "2.weight", lm, lm), shaped.tensor(prefix + "2.bias", lm), gemm);
        log.info("Projector loaded: mlp2x_gelu {} -> {} from {}", vision, lm, source);
        return new Linear[] {first, second};
    }

    /** Width of the visual tokens it takes. */
    public int visionSize() {
        return first.in();
    }

    /** Width of the language model's embeddings it produces. */
    public int outputSize() {
        return second.out();
    }

    /** A scratch buffer large enough for {@code rows} tokens. */
    public float[] newScratch(int rows) {
        return new float[Math.multiplyExact(rows, first.out())];
    }

    /**
     * x {@code (rows, vision)} to out {@code (rows, lm)}; {@code scratch} holds at least
     * {@code rows * lm} floats (see {@link #newScratch}).
     */
    public void forward(float[] x, int rows, float[] scratch, float[] out) {
        forward(x, 0, rows, scratch, out, 0);
    }

    /** As {@link #forward(float[], int, float[], float[])}, x rows from {@code xOffset}, out rows from {@code outOffset}. */
    public void forward(float[] x, int xOffset, int rows, float[] scratch, float[] out, int outOffset) {
        Objects.checkFromIndexSize(0, (long) rows * first.out(), scratch.length);
        first.forward(x, xOffset, rows, scratch, 0);
        Activation.GELU.apply(scratch, 0, rows * first.out());
        second.forward(scratch, 0, rows, out, outOffset);
    }

    /** Unmaps the projector's own file, if it has one; the projector is unusable afterwards. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
