package dev.vstream.memory.star;

import java.io.IOException;
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
 * Reads a small safetensors file (8-byte little-endian header length, JSON header, raw little-endian data) into
 * memory: the semantic-attention projections here, golden vectors in tests. The model module has the full,
 * memory-mapped loader; the memory service does not depend on it (yet), and these files are kilobytes.
 */
public final class SafetensorsReader {

    /** One tensor: dtype name as in the format (F32, F16, BF16, F64, I32, I64), shape, and its raw bytes. */
    public record Tensor(String dtype, long[] shape, ByteBuffer data) {

        public long elements() {
            long n = 1;
            for (long dim : shape) {
                n *= dim;
            }
            return n;
        }

        public float[] toFloats() {
            int n = Math.toIntExact(elements());
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case "F32" -> b.asFloatBuffer().get(out);
                case "F64" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) b.getDouble(i * 8);
                    }
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat(b.getShort(i * 2));
                    }
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                    }
                }
                default -> throw new IllegalStateException("tensor of dtype " + dtype + " is not a float tensor");
            }
            return out;
        }

        public double[] toDoubles() {
            if (!dtype.equals("F64")) {
                float[] f = toFloats();
                double[] out = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = f[i];
                }
                return out;
            }
            double[] out = new double[Math.toIntExact(elements())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            return out;
        }

        public long[] toLongs() {
            int n = Math.toIntExact(elements());
            long[] out = new long[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case "I64" -> b.asLongBuffer().get(out);
                case "I32" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = b.getInt(i * 4);
                    }
                }
                default -> throw new IllegalStateException("tensor of dtype " + dtype + " is not an integer tensor");
            }
            return out;
        }

        public int[] toInts() {
            long[] l = toLongs();
            int[] out = new int[l.length];
            for (int i = 0; i < l.length; i++) {
                out[i] = Math.toIntExact(l[i]);
            }
            return out;
        }
    }

    /** Tensors by name in file order, and the string metadata of {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {

        public Tensor tensor(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor '" + name + "' (have " + tensors.keySet() + ")");
            }
            return t;
        }
    }

    private SafetensorsReader() {
    }

    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (RuntimeException e) {
            throw new IOException("not a readable safetensors file: " + file + ": " + e.getMessage(), e);
        }
    }

    static Contents parse(byte[] bytes) {
        ByteBuffer whole = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = whole.getLong(0);
        if (headerLength < 2 || headerLength > bytes.length - 8) {
            throw new IllegalArgumentException("header length " + headerLength + " in a file of " + bytes.length
                    + " bytes");
        }
        String json = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        Object parsed = new Json(json).value();
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new IllegalArgumentException("header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : header.entrySet()) {
            String name = (String) entry.getKey();
            Map<?, ?> info = (Map<?, ?>) entry.getValue();
            if (name.equals("__metadata__")) {
                info.forEach((k, v) -> metadata.put((String) k, String.valueOf(v)));
                continue;
            }
            List<?> shapeList = (List<?>) info.get("shape");
            long[] shape = new long[shapeList.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (Long) shapeList.get(i);
            }
            List<?> offsets = (List<?>) info.get("data_offsets");
            long begin = (Long) offsets.get(0);
            long end = (Long) offsets.get(1);
            if (begin < 0 || end < begin || dataStart + end > bytes.length) {
                throw new IllegalArgumentException("tensor " + name + " has data offsets [" + begin + ", " + end
                        + ") outside the file");
            }
            ByteBuffer data = ByteBuffer.wrap(bytes, dataStart + (int) begin, (int) (end - begin)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            Tensor tensor = new Tensor((String) info.get("dtype"), shape, data);
            long expected = tensor.elements() * bytesPerElement(tensor.dtype());
            if (expected != end - begin) {
                throw new IllegalArgumentException("tensor " + name + " of " + tensor.dtype() + " shape "
                        + java.util.Arrays.toString(shape) + " needs " + expected + " bytes, has " + (end - begin));
            }
            tensors.put(name, tensor);
        }
        return new Contents(tensors, metadata);
    }

    private static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new IllegalArgumentException("unknown dtype " + dtype);
        };
    }

    /** The JSON subset of safetensors headers: objects, arrays, strings, integers (as Long), true/false/null. */
    private static final class Json {

        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String s = text.substring(start, at);
            if (s.isEmpty()) {
                throw error("unexpected character");
            }
            return s.matches("-?\\d+") ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s);
        }

        private Object literal(String word, Object result) {
            if (!text.startsWith(word, at)) {
                throw error("expected " + word);
            }
            at += word.length();
            return result;
        }

        private char peek() {
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("header JSON: " + what + " at " + at);
        }
    }
}
