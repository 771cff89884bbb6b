package dev.vstream.model.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON document, for the small files whose structure is open-ended (config.json and the
 * shard index). Numbers keep their lexeme so that integers are never routed through a double and
 * the reader of a key decides how to interpret it.
 */
sealed interface JsonValue {

    record JsonObject(Map<String, JsonValue> members) implements JsonValue {
        public JsonObject {
            members = Collections.unmodifiableMap(members);
        }
    }

    record JsonArray(List<JsonValue> elements) implements JsonValue {
        public JsonArray {
            elements = List.copyOf(elements);
        }
    }

    record JsonString(String value) implements JsonValue {}

    record JsonNumber(String lexeme) implements JsonValue {}

    record JsonBoolean(boolean value) implements JsonValue {}

    enum JsonNull implements JsonValue { INSTANCE }

    /** "an object", "a number", ...: for messages that say what was found instead. */
    default String typeName() {
        return switch (this) {
            case JsonObject o -> "an object";
            case JsonArray a -> "an array";
            case JsonString s -> "a string";
            case JsonNumber n -> "a number";
            case JsonBoolean b -> "a boolean";
            case JsonNull n -> "null";
        };
    }

    /** Parses a whole document; duplicate member names are an error, not last-one-wins. */
    static JsonValue parse(String text, String source, int maxDepth) {
        JsonReader reader = new JsonReader(text, source, maxDepth);
        JsonValue value = read(reader);
        reader.endDocument();
        return value;
    }

    /**
     * Reads a JSON file of at most {@code maxBytes}. A leading byte-order mark is skipped, as
     * RFC 8259 section 8.1 allows; some Windows editors write one into config.json.
     */
    static JsonValue readFile(Path file, long maxBytes, int maxDepth) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new ModelLoadException(file + ": " + size + " bytes, more than the "
                        + maxBytes + " bytes accepted for this file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(file + ": file not found", e);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read: " + e, e);
        }
        String text = JsonReader.decodeUtf8(ByteBuffer.wrap(bytes), file.toString());
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return parse(text, file.toString(), maxDepth);
    }

    private static JsonValue read(JsonReader reader) {
        return switch (reader.peek()) {
            case OBJECT -> readObject(reader);
            case ARRAY -> {
                List<JsonValue> elements = new ArrayList<>();
                reader.beginArray();
                while (reader.hasNextElement()) {
                    elements.add(read(reader));
                }
                yield new JsonArray(elements);
            }
            case STRING -> new JsonString(reader.nextString());
            case NUMBER -> new JsonNumber(reader.nextNumber());
            case BOOLEAN -> new JsonBoolean(reader.nextBoolean());
            case NULL -> {
                reader.nextNull();
                yield JsonNull.INSTANCE;
            }
        };
    }

    private static JsonObject readObject(JsonReader reader) {
        Map<String, JsonValue> members = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNextMember()) {
            String name = reader.nextName();
            if (members.containsKey(name)) {
                throw reader.error("duplicate key " + ModelLoadException.quote(name));
            }
            members.put(name, read(reader));
        }
        return new JsonObject(members);
    }
}
