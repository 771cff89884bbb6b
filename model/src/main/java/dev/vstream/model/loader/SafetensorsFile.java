package dev.vstream.model.loader;

import static dev.vstream.model.loader.ModelLoadException.quote;

import dev.vstream.kernels.tensor.DType;
import dev.vstream.kernels.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SequencedSet;
import java.util.stream.Collectors;

/**
 * A memory-mapped safetensors file. The whole file is mapped read-only into a shared arena, so
 * tensors are views of the page cache: opening a 7 GB checkpoint costs a header parse, not 7 GB
 * of heap, and several threads may read the same weights. Closing unmaps; a tensor read after
 * that throws {@link IllegalStateException} rather than touching unmapped memory.
 *
 * <p>The file must not be truncated while open: reading a page that no longer exists is a JVM
 * error (SIGBUS), a hazard of every mmap-based loader.
 */
public final class SafetensorsFile implements AutoCloseable {

    private static final String SUPPORTED = Arrays.stream(SafetensorsDType.values())
            .filter(d -> d.tensorType().isPresent())
            .map(Enum::name)
            .collect(Collectors.joining(", "));

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, Arena arena, MemorySegment file, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.header = header;
    }

    /** Maps {@code path} and validates its header; every failure names the file. */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            SafetensorsHeader header = SafetensorsHeader.parse(path.toString(), file);
            return new SafetensorsFile(path, arena, file, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelLoadException(path + ": file not found", e);
        } catch (IOException e) {
            arena.close();
            throw new ModelLoadException(path + ": cannot map: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public SequencedSet<String> names() {
        return header.tensors().sequencedKeySet();
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /** The {@code __metadata__} strings (e.g. {@code format: pt}); empty when absent. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Header entry of a tensor; works for every dtype, supported or not. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new ModelLoadException(path + ": no tensor " + quote(name) + " in this file"
                    + NearestNames.suffix(name, header.tensors().keySet()));
        }
        return info;
    }

    /** A view of the tensor's bytes (no copy). */
    public Tensor tensor(String name) {
        TensorInfo info = info(name);
        DType type = info.dtype().tensorType().orElseThrow(() -> new ModelLoadException(path
                + ": tensor " + quote(name) + " has unsupported dtype " + info.dtype()
                + " (supported: " + SUPPORTED + ")"));
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(path + " is closed; cannot read tensor " + quote(name));
        }
        long offset = header.dataStart() + info.begin();
        return new Tensor(info.shape(), type, file.asSlice(offset, info.byteSize()));
    }

    /**
     * The tensor, after checking its shape; {@code -1} in {@code expectedShape} accepts any size
     * in that dimension.
     *
     * @throws ShapeMismatchException naming file, tensor, expected and actual shape
     */
    public Tensor tensor(String name, long... expectedShape) {
        TensorInfo info = info(name);
        if (!ShapeMismatchException.matches(info.shape(), expectedShape)) {
            throw new ShapeMismatchException(path.toString(), name, expectedShape, info.shape());
        }
        return tensor(name);
    }

    /** Bytes of tensor data, i.e. the file minus its header. */
    public long dataSize() {
        return file.byteSize() - header.dataStart();
    }

    /** Unmaps the file; idempotent. Tensors obtained earlier become unreadable. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
