package dev.vstream.model.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** Input generators for {@link SafetensorsFuzzTest}: byte mutations and grammar-based headers. */
final class FuzzMutations {

    private static final byte[] INTERESTING_BYTES = "{}[]\":,-0189e.E+\\u \t\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOSTILE_BYTES = {0, (byte) 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC3,
        (byte) 0xED, (byte) 0xF0, (byte) 0xF4, (byte) 0xFF};
    private static final String[] INTERESTING_NUMBERS = {"0", "1", "-1", "-0", "00", "1.5", "1e3", "1E+2", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "4611686018427387904", "-9223372036854775808",
        "100000000", "1" + "0".repeat(500)};
    private static final String[] DTYPES = {"F32", "BF16", "F16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "F4", "F6_E2M3",
        "C64", "f32", "F128", "", "BF16 ", "\\u0046\\u0033\\u0032"};
    private static final int[] DTYPE_BITS = {32, 16, 16, 64, 64, 8, 8, 8, 4, 6, 64};

    private FuzzMutations() {}

    /** One to four random edits of a valid file: bytes, header length field, truncation. */
    static byte[] mutate(Random random, byte[] valid) {
        long headerLength = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
        List<Byte> header = toList(Arrays.copyOfRange(valid, 8, 8 + (int) headerLength));
        List<Byte> data = toList(Arrays.copyOfRange(valid, 8 + (int) headerLength, valid.length));
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            List<Byte> target = random.nextInt(10) < 8 || data.isEmpty() ? header : data;
            editBytes(random, target);
        }
        byte[] headerBytes = toArray(header);
        long lengthField = random.nextInt(10) < 7 ? headerBytes.length : lyingLength(random, headerBytes.length, valid.length);
        byte[] out = ByteBuffer.allocate(8 + headerBytes.length + data.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(lengthField).put(headerBytes).put(toArray(data)).array();
        if (random.nextInt(10) == 0) {
            out = Arrays.copyOf(out, random.nextInt(out.length + 1)); // truncated download
        }
        if (out.length > 0 && random.nextInt(10) == 0) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8)); // bit rot anywhere
        }
        return out;
    }

    private static void editBytes(Random random, List<Byte> bytes) {
        int at = bytes.isEmpty() ? 0 : random.nextInt(bytes.size());
        switch (random.nextInt(7)) {
            case 0 -> { if (!bytes.isEmpty()) bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8)))); }
            case 1 -> { if (!bytes.isEmpty()) bytes.set(at, pick(random)); }
            case 2 -> { for (int i = random.nextInt(8); i >= 0; i--) bytes.add(at, pick(random)); }
            case 3 -> { for (int i = random.nextInt(16); i >= 0 && at < bytes.size(); i--) bytes.remove(at); }
            case 4 -> { // duplicate a slice elsewhere: duplicate keys, odd nesting, repeated members
                int from = bytes.isEmpty() ? 0 : random.nextInt(bytes.size());
                int to = Math.min(bytes.size(), from + 1 + random.nextInt(64));
                bytes.addAll(at, new ArrayList<>(bytes.subList(from, to)));
            }
            case 5 -> replaceNumber(random, bytes);
            default -> { // nest: wrap a slice in brackets
                bytes.add(at, (byte) '[');
                bytes.add(Math.min(bytes.size(), at + 1 + random.nextInt(8)), (byte) ']');
            }
        }
    }

    /** Replaces the run of digits nearest to a random position with an interesting number. */
    private static void replaceNumber(Random random, List<Byte> bytes) {
        if (bytes.isEmpty()) {
            return;
        }
        int at = random.nextInt(bytes.size());
        while (at < bytes.size() && !Character.isDigit(bytes.get(at))) {
            at++;
        }
        int end = at;
        while (end < bytes.size() && Character.isDigit(bytes.get(end))) {
            end++;
        }
        bytes.subList(at, end).clear();
        byte[] number = INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
        bytes.addAll(at, toList(number));
    }

    private static long lyingLength(Random random, int actual, int fileLength) {
        return switch (random.nextInt(7)) {
            case 0 -> actual + 1 + random.nextInt(16);
            case 1 -> Math.max(0, actual - 1 - random.nextInt(16));
            case 2 -> random.nextLong();
            case 3 -> Long.MIN_VALUE;
            case 4 -> -1L;
            case 5 -> fileLength;
            default -> SafetensorsHeader.MAX_HEADER_BYTES + random.nextInt(2);
        };
    }

    /** A header built from the grammar with random choices, often valid, often almost valid. */
    static byte[] generatedFile(Random random) {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        int members = random.nextInt(6);
        for (int m = 0; m < members; m++) {
            json.append(m == 0 ? "" : ",").append(space(random));
            int kind = random.nextInt(20);
            if (kind < 14) {
                int d = random.nextInt(DTYPES.length);
                List<String> dims = new ArrayList<>();
                long count = 1;
                boolean exact = true;
                for (int i = random.nextInt(4); i > 0; i--) {
                    if (random.nextInt(10) == 0) {
                        dims.add(pickNumber(random, "7"));
                        exact = false;
                    } else {
                        int dim = random.nextInt(5);
                        dims.add(Integer.toString(dim));
                        count *= dim;
                    }
                }
                long bytes = exact && d < DTYPE_BITS.length ? count * DTYPE_BITS[d] / 8 : 4;
                long begin = random.nextInt(10) == 0 ? offset - 4 + random.nextInt(8) : offset;
                String offsets = random.nextInt(10) == 0
                        ? "[" + pickNumber(random, "0") + "," + pickNumber(random, "8") + "]"
                        : "[" + begin + "," + (begin + bytes) + "]";
                offset = Math.max(offset, begin + bytes);
                json.append(name(random)).append(':').append(space(random)).append('{');
                List<String> fields = new ArrayList<>(List.of("\"dtype\":\"" + DTYPES[d] + "\"",
                        "\"shape\":[" + String.join("," + space(random), dims) + "]", "\"data_offsets\":" + offsets));
                if (random.nextInt(10) == 0) fields.remove(random.nextInt(fields.size()));
                if (random.nextInt(15) == 0) fields.add(fields.get(random.nextInt(fields.size())));
                if (random.nextInt(15) == 0) fields.add("\"extra\":" + value(random, 0));
                java.util.Collections.shuffle(fields, random);
                json.append(String.join("," + space(random), fields)).append('}');
            } else if (kind < 17) {
                json.append("\"__metadata__\":{\"format\":").append(random.nextInt(4) == 0 ? value(random, 0) : "\"pt\"").append('}');
            } else {
                json.append(name(random)).append(':').append(value(random, 0));
            }
        }
        json.append('}').append(" ".repeat(random.nextInt(8)));
        String text = random.nextInt(20) == 0 ? mutateText(random, json.toString()) : json.toString();
        long dataLength = Math.max(0, random.nextInt(8) == 0 ? offset + random.nextInt(9) - 4 : offset);
        return SafetensorsWriter.file(text, new byte[(int) Math.min(dataLength, 1 << 20)]);
    }

    /** Character-level edits of a JSON text: deletions, insertions, swaps of structural chars. */
    static String mutateText(Random random, String text) {
        StringBuilder out = new StringBuilder(text);
        for (int e = 1 + random.nextInt(3); e > 0; e--) {
            int at = out.isEmpty() ? 0 : random.nextInt(out.length());
            switch (random.nextInt(4)) {
                case 0 -> { if (!out.isEmpty()) out.deleteCharAt(at); }
                case 1 -> out.insert(at, (char) INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]);
                case 2 -> out.insert(at, "\\ud800\"\u0000[{\uFEFF\u00e9".charAt(random.nextInt(10)));
                default -> out.insert(at, pickNumber(random, "1"));
            }
        }
        return out.toString();
    }

    /** Calls every typed getter on every key (and nested section); type errors are expected. */
    static void exerciseConfig(ModelConfig config) {
        for (String key : config.keys()) {
            config.has(key);
            List<Consumer<String>> getters = List.of(config::getInt, config::getLong, config::getDouble,
                    config::getBoolean, config::getString, config::getIntList, config::getStringList,
                    k -> exerciseConfig(config.getSection(k)));
            for (Consumer<String> getter : getters) {
                try {
                    getter.accept(key);
                } catch (ModelLoadException expected) {
                    // wrong type for this getter: fine, any other exception is a bug
                }
            }
        }
    }

    private static String name(Random random) {
        String[] names = {"\"w\"", "\"model.layers.0.mlp.fc1.weight\"", "\"\"", "\"\\u00e9\\ud83d\\ude00\"",
            "\"a\\\"b\"", "\"__metadata__\"", "\"w\"", "\"\\ud800\"", "\"x\\n\""};
        return names[random.nextInt(names.length)];
    }

    private static String value(Random random, int depth) {
        return switch (depth > 5 ? random.nextInt(4) : random.nextInt(6)) {
            case 0 -> pickNumber(random, "1");
            case 1 -> name(random);
            case 2 -> random.nextBoolean() ? "true" : "null";
            case 3 -> "\"x\"";
            case 4 -> "[" + value(random, depth + 1) + (random.nextBoolean() ? "," + value(random, depth + 1) : "") + "]";
            default -> "{" + name(random) + ":" + value(random, depth + 1) + "}";
        };
    }

    private static String pickNumber(Random random, String usual) {
        return random.nextInt(3) == 0 ? usual : INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length - 1)];
    }

    private static String space(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\n  ";
            case 2 -> "\t";
            default -> "";
        };
    }

    private static byte pick(Random random) {
        return random.nextInt(3) == 0
                ? HOSTILE_BYTES[random.nextInt(HOSTILE_BYTES.length)]
                : random.nextBoolean() ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)] : (byte) random.nextInt(256);
    }

    private static List<Byte> toList(byte[] bytes) {
        List<Byte> list = new ArrayList<>(bytes.length + 64);
        for (byte b : bytes) {
            list.add(b);
        }
        return list;
    }

    private static byte[] toArray(List<Byte> list) {
        byte[] out = new byte[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
