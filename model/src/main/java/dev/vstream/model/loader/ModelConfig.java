package dev.vstream.model.loader;

import static dev.vstream.model.loader.ModelLoadException.quote;

import dev.vstream.model.loader.JsonValue.JsonArray;
import dev.vstream.model.loader.JsonValue.JsonBoolean;
import dev.vstream.model.loader.JsonValue.JsonNull;
import dev.vstream.model.loader.JsonValue.JsonNumber;
import dev.vstream.model.loader.JsonValue.JsonObject;
import dev.vstream.model.loader.JsonValue.JsonString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Typed, read-only access to a Hugging Face config.json. The typed per-architecture config
 * records are built from this; it only knows JSON types, not what the keys mean.
 *
 * <p>Conventions: a key whose value is JSON {@code null} counts as absent ({@link #has} is false
 * and the defaulting getters return their default), because HF configs write
 * {@code "sliding_window": null} to mean "not set". Integers must be written as integers:
 * {@code 3.0} is not an int, since a config that writes a float where an int belongs is more
 * likely a different field than a formatting quirk. Every error names the file and the key
 * (with its path for nested sections such as {@code vision_config.hidden_size}).
 */
public final class ModelConfig {

    /** Real config.json files are a few KB; the cap keeps a wrong path from eating the heap. */
    static final long MAX_BYTES = 16L << 20;
    private static final int MAX_DEPTH = 64;

    private final String source;
    private final String keyPrefix;
    private final Map<String, JsonValue> members;

    private ModelConfig(String source, String keyPrefix, Map<String, JsonValue> members) {
        this.source = source;
        this.keyPrefix = keyPrefix;
        this.members = members;
    }

    /** Reads and parses a config.json file. */
    public static ModelConfig read(Path file) {
        return fromDocument(JsonValue.readFile(file, MAX_BYTES, MAX_DEPTH), file.toString());
    }

    /** Parses config JSON held in a string; {@code source} names it in error messages. */
    public static ModelConfig parse(String json, String source) {
        return fromDocument(JsonValue.parse(json, source, MAX_DEPTH), source);
    }

    private static ModelConfig fromDocument(JsonValue document, String source) {
        if (!(document instanceof JsonObject object)) {
            throw new ModelLoadException(source + ": a config must be a JSON object, found "
                    + document.typeName());
        }
        return new ModelConfig(source, "", object.members());
    }

    /** The file (or label) this config was read from. */
    public String source() {
        return source;
    }

    /** Keys in file order, including those whose value is null. */
    public Set<String> keys() {
        return members.keySet();
    }

    /** True when the key is present with a non-null value. */
    public boolean has(String key) {
        JsonValue value = members.get(key);
        return value != null && value != JsonNull.INSTANCE;
    }

    public int getInt(String key) {
        long value = getLong(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw fail(key, "value " + value + " does not fit in an int");
        }
        return (int) value;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    public long getLong(String key) {
        return toLong(key, require(key));
    }

    public long getLong(String key, long defaultValue) {
        return has(key) ? getLong(key) : defaultValue;
    }

    /** Any JSON number, integers included ({@code "rope_theta": 10000}); must be finite. */
    public double getDouble(String key) {
        return toDouble(key, require(key));
    }

    public double getDouble(String key, double defaultValue) {
        return has(key) ? getDouble(key) : defaultValue;
    }

    public boolean getBoolean(String key) {
        if (require(key) instanceof JsonBoolean b) {
            return b.value();
        }
        throw wrongType(key, "a boolean");
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return has(key) ? getBoolean(key) : defaultValue;
    }

    public String getString(String key) {
        if (require(key) instanceof JsonString s) {
            return s.value();
        }
        throw wrongType(key, "a string");
    }

    public String getString(String key, String defaultValue) {
        return has(key) ? getString(key) : defaultValue;
    }

    /** An array of integers each within int range, e.g. {@code "global_attn_idx": [4, 12]}. */
    public List<Integer> getIntList(String key) {
        return list(key, "integers", (label, element) -> {
            long value = toLong(label, element);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw fail(label, "value " + value + " does not fit in an int");
            }
            return (int) value;
        });
    }

    /** An array of strings, e.g. {@code "layer_types": ["deltanet", "f", "m2", ...]}. */
    public List<String> getStringList(String key) {
        return list(key, "strings", (label, element) -> {
            if (element instanceof JsonString s) {
                return s.value();
            }
            throw fail(label, "is " + describe(element) + ", expected a string");
        });
    }

    /** A nested object such as {@code vision_config} of a CLIP checkpoint, with the same API. */
    public ModelConfig getSection(String key) {
        if (require(key) instanceof JsonObject object) {
            return new ModelConfig(source, keyPrefix + key + ".", object.members());
        }
        throw wrongType(key, "an object");
    }

    private <T> List<T> list(String key, String what, BiFunction<String, JsonValue, T> convert) {
        if (!(require(key) instanceof JsonArray array)) {
            throw wrongType(key, "an array of " + what);
        }
        List<T> out = new ArrayList<>(array.elements().size());
        for (int i = 0; i < array.elements().size(); i++) {
            out.add(convert.apply(key + "[" + i + "]", array.elements().get(i)));
        }
        return List.copyOf(out);
    }

    private JsonValue require(String key) {
        JsonValue value = members.get(key);
        if (value == null) {
            throw fail(key, "is missing");
        }
        if (value == JsonNull.INSTANCE) {
            throw fail(key, "is null");
        }
        return value;
    }

    private long toLong(String key, JsonValue value) {
        if (!(value instanceof JsonNumber number)) {
            throw fail(key, "is " + describe(value) + ", expected an integer");
        }
        String lexeme = number.lexeme();
        if (!JsonReader.isIntegerLexeme(lexeme)) {
            throw fail(key, "value " + lexeme + " is not an integer");
        }
        try {
            return Long.parseLong(lexeme);
        } catch (NumberFormatException e) {
            throw fail(key, "value " + lexeme + " does not fit in a long");
        }
    }

    private double toDouble(String key, JsonValue value) {
        if (!(value instanceof JsonNumber number)) {
            throw fail(key, "is " + describe(value) + ", expected a number");
        }
        double parsed = Double.parseDouble(number.lexeme());
        if (Double.isInfinite(parsed)) {
            throw fail(key, "value " + number.lexeme() + " is outside the range of a double");
        }
        return parsed;
    }

    private ModelLoadException wrongType(String key, String expected) {
        return fail(key, "is " + describe(members.get(key)) + ", expected " + expected);
    }

    /** The type, plus the value itself when it is short, e.g. {@code a string ('bfloat16')}. */
    private static String describe(JsonValue value) {
        return switch (value) {
            case JsonString s when s.value().length() <= 40 -> "a string (" + quote(s.value()) + ")";
            case JsonNumber n -> "a number (" + n.lexeme() + ")";
            case JsonBoolean b -> "a boolean (" + b.value() + ")";
            default -> value.typeName();
        };
    }

    private ModelLoadException fail(String key, String problem) {
        return new ModelLoadException(source + ": key " + quote(keyPrefix + key) + " " + problem);
    }

    @Override
    public String toString() {
        return "ModelConfig[" + source + (keyPrefix.isEmpty() ? "" : " " + keyPrefix) + ", "
                + members.size() + " keys]";
    }
}
