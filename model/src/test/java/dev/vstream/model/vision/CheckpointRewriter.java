package dev.vstream.model.vision;

import dev.vstream.model.loader.SafetensorsFile;
import dev.vstream.model.loader.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Test helper: copies a golden checkpoint folder with its tensors renamed or dropped and its
 * config.json replaced, to produce the other layouts and the broken checkpoints the loader must
 * reject. Writes safetensors from the format description (8-byte little-endian header length,
 * JSON header padded with spaces to a multiple of 8, tensors back to back).
 */
final class CheckpointRewriter {

    private CheckpointRewriter() {
    }

    /**
     * Copies {@code source} to {@code target}: each tensor renamed by {@code rename} (null
     * drops it), config.json replaced by {@code config} when that is not null, other files copied.
     */
    static Path rewrite(Path source, Path target, UnaryOperator<String> rename, String config) {
        try {
            Files.createDirectories(target);
            try (var files = Files.list(source)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".safetensors")) {
                        rewriteTensors(file, target.resolve(name), rename);
                    } else if (!(name.equals("config.json") && config != null)) {
                        Files.copy(file, target.resolve(name));
                    }
                }
            }
            if (config != null) {
                Files.writeString(target.resolve("config.json"), config);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void rewriteTensors(Path source, Path target, UnaryOperator<String> rename) throws IOException {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        try (SafetensorsFile file = SafetensorsFile.open(source)) {
            for (String name : file.names()) {
                String renamed = rename.apply(name);
                if (renamed == null) {
                    continue;
                }
                TensorInfo info = file.info(name);
                byte[] bytes = file.tensor(name).segment().toArray(ValueLayout.JAVA_BYTE);
                header.append(header.length() > 1 ? "," : "").append('"').append(renamed).append("\":{\"dtype\":\"")
                        .append(info.dtype().name()).append("\",\"shape\":").append(info.shape())
                        .append(",\"data_offsets\":[").append(data.size()).append(',')
                        .append(data.size() + bytes.length).append("]}");
                data.writeBytes(bytes);
            }
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(length.array());
        out.writeBytes(json);
        out.writeBytes(data.toByteArray());
        Files.write(target, out.toByteArray());
    }
}
