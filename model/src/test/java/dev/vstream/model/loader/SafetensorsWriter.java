package dev.vstream.model.loader;

import dev.vstream.kernels.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only safetensors writer, written from the format description: tensors are laid out back
 * to back in insertion order, and the header is padded with spaces so the data section starts
 * at a multiple of 8 (as the reference writer does) unless {@link #unpadded()} is called.
 */
final class SafetensorsWriter {

    private record Entry(String name, String dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private boolean pad = true;

    SafetensorsWriter add(String name, String dtype, long[] shape, byte[] data) {
        entries.add(new Entry(name, dtype, shape.clone(), data.clone()));
        return this;
    }

    SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float... values) {
        return add(name, dtype.name(), shape, encode(dtype, values));
    }

    SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    SafetensorsWriter unpadded() {
        pad = false;
        return this;
    }

    String headerJson() {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            String separator = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                json.append(separator).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                separator = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Entry e : entries) {
            json.append(json.length() > 1 ? "," : "").append(quote(e.name()))
                    .append(":{\"dtype\":").append(quote(e.dtype())).append(",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(e.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',')
                    .append(offset + e.data().length).append("]}");
            offset += e.data().length;
        }
        return json.append('}').toString();
    }

    byte[] toBytes() {
        byte[] header = headerJson().getBytes(StandardCharsets.UTF_8);
        int padding = pad ? (8 - header.length % 8) % 8 : 0;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        entries.forEach(e -> data.writeBytes(e.data()));
        return withHeader(header, padding, data.toByteArray());
    }

    Path write(Path file) {
        try {
            return Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file whose length field is correct for {@code headerJson}, followed by {@code data}. */
    static byte[] file(String headerJson, byte[] data) {
        return withHeader(headerJson.getBytes(StandardCharsets.UTF_8), 0, data);
    }

    /** A file with an arbitrary (possibly lying) header length field. */
    static byte[] rawFile(long headerLengthField, byte[] rest) {
        ByteBuffer out = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(headerLengthField).put(rest).array();
    }

    private static byte[] withHeader(byte[] header, int padding, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + padding + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length + padding).put(header);
        for (int i = 0; i < padding; i++) {
            out.put((byte) ' ');
        }
        return out.put(data).array();
    }

    static byte[] encode(DType dtype, float... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> out.putFloat(v);
                case BF16 -> out.putShort(DType.bf16FromFloat(v));
                case F16 -> out.putShort(DType.f16FromFloat(v));
            }
        }
        return out.array();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
