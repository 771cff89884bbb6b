package dev.vstream.model.vision;

import dev.vstream.kernels.linalg.ComputePool;
import dev.vstream.kernels.linalg.Gemm;
import dev.vstream.kernels.linalg.ScalarGemm;
import dev.vstream.kernels.linalg.VectorGemm;
import dev.vstream.model.loader.Checkpoint;
import java.nio.file.Path;

/**
 * Test fixture: the GEMMs the golden tests run on (the Vector API kernel on two threads, and
 * the double-accumulating scalar reference), and a loaded tower together with the checkpoint
 * its weights are read from, closed together.
 */
public record Towers(Checkpoint checkpoint, VisionTransformer tower) implements AutoCloseable {

    /** Daemon workers, shared by every test class of the run; calls on one Gemm are serialised. */
    public static final Gemm VECTOR = new VectorGemm(new ComputePool(2));
    public static final Gemm SCALAR = new ScalarGemm();

    public static Gemm gemm(String name) {
        return switch (name) {
            case "vector" -> VECTOR;
            case "scalar" -> SCALAR;
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Towers open(Path folder, Gemm gemm) {
        Checkpoint checkpoint = Checkpoint.open(folder);
        try {
            return new Towers(checkpoint, VisionTransformer.load(checkpoint, gemm));
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /** The tiny golden checkpoint {@code clip} or {@code siglip}. */
    static Towers tiny(String name, Gemm gemm) {
        return open(Goldens.path(name + "_tiny"), gemm);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
