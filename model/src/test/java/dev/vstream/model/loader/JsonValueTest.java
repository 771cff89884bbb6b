package dev.vstream.model.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vstream.model.loader.JsonValue.JsonArray;
import dev.vstream.model.loader.JsonValue.JsonBoolean;
import dev.vstream.model.loader.JsonValue.JsonNull;
import dev.vstream.model.loader.JsonValue.JsonNumber;
import dev.vstream.model.loader.JsonValue.JsonObject;
import dev.vstream.model.loader.JsonValue.JsonString;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonValueTest {

    private static JsonValue parse(String json) {
        return JsonValue.parse(json, "doc.json", 64);
    }

    @Test
    void parsesEveryKindOfValue() {
        JsonValue value = parse(" {\"a\": [1, -2.5e-3, true, false, null], \"b\": {\"c\": \"d\"}, \"e\": \"\"}\n");
        assertThat(value).isInstanceOf(JsonObject.class);
        JsonObject object = (JsonObject) value;
        assertThat(object.members()).containsOnlyKeys("a", "b", "e");
        assertThat(((JsonArray) object.members().get("a")).elements()).containsExactly(
                new JsonNumber("1"), new JsonNumber("-2.5e-3"), new JsonBoolean(true), new JsonBoolean(false),
                JsonNull.INSTANCE);
        assertThat(((JsonObject) object.members().get("b")).members()).containsEntry("c", new JsonString("d"));
        assertThat(parse("0")).isEqualTo(new JsonNumber("0"));
        assertThat(parse("[]")).isEqualTo(new JsonArray(List.of()));
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() {
        assertThat(parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\""))
                .isEqualTo(new JsonString("\" \\ / \b \f \n \r \t \u00e9 \ud83d\ude00"));
        assertThat(parse("\"caf\u00e9 \u4e2d\"")).isEqualTo(new JsonString("caf\u00e9 \u4e2d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "{a:1}", "01", "-", "1.", ".5",
        "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "-Infinity", "tru", "nul", "True", "[1 2]", "\"\\x\"",
        "\"\\u00g0\"", "\"\\ud800\"", "\"\\udc00x\"", "\"tab\there\"", "[1]]", "{} {}", "/* c */ {}", "{\"a\":1}//",
        "\"\\u0000\" x", "[\"a\",\"b\"", "{\"a\":1,\"a\":2}", "\"\uFEFF\" extra"
    })
    void rejectsInvalidJson(String json) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("doc.json: ")
                .hasMessageContaining("at character");
    }

    @Test
    void rejectsNestingBeyondTheLimitWithoutStackOverflow() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        assertThatThrownBy(() -> parse(deep))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("nesting deeper than 64");
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThatThrownBy(() -> parse(objects))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("nesting deeper than 64");
        String ok = "[".repeat(64) + "]".repeat(64);
        assertThat(parse(ok)).isInstanceOf(JsonArray.class);
    }

    @Test
    void rejectsOverlongNumbers() {
        assertThatThrownBy(() -> parse("1" + "0".repeat(1000)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("number longer than");
    }

    @Test
    void duplicateKeysAreNamed() {
        assertThatThrownBy(() -> parse("{\"x\":{\"hidden_size\":1,\"hidden_size\":2}}"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("duplicate key 'hidden_size'");
    }
}
