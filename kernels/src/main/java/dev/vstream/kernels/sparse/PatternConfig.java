package dev.vstream.kernels.sparse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-layer, per-head patterns of a model, as the offline {@link PatternSearch} writes
 * them and prefill reads them, in a small JSON file:
 *
 * <pre>
 * {"version": 1, "layers": [
 *   [{"boundary": "QUERY", "text": {"type": "dense"},
 *     "video": {"type": "grid", "sink": 64, "window": 1024, "maxLines": 4, "lineMass": 0.95,
 *               "minStride": 2, "maxStride": 512}}, ...],
 *   ...]}
 * </pre>
 *
 * Pattern types: {@code dense}; {@code a-shape} (sink, window); {@code vertical-slash}
 * (verticals, slashes); {@code grid} (as above). Written and parsed here (no JSON dependency
 * in kernels); the parser accepts the JSON this writer produces and any reformatting of it.
 *
 * @param layers {@code layers.get(layer).get(head)}
 */
public record PatternConfig(List<List<HeadConfig>> layers) {

    public PatternConfig {
        layers = layers.stream().map(List::copyOf).toList();
    }

    /** The head configs of one layer. */
    public List<HeadConfig> layer(int layer) {
        return layers.get(layer);
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    public static PatternConfig read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public String toJson() {
        StringBuilder json = new StringBuilder("{\"version\": 1, \"layers\": [\n");
        for (int l = 0; l < layers.size(); l++) {
            json.append("  [");
            List<HeadConfig> heads = layers.get(l);
            for (int h = 0; h < heads.size(); h++) {
                HeadConfig head = heads.get(h);
                json.append(h == 0 ? "" : ",\n   ").append("{\"boundary\": \"").append(head.boundary())
                        .append("\", \"text\": ").append(pattern(head.text()))
                        .append(", \"video\": ").append(pattern(head.video())).append('}');
            }
            json.append(l + 1 < layers.size() ? "],\n" : "]\n");
        }
        return json.append("]}\n").toString();
    }

    private static String pattern(HeadPattern pattern) {
        return switch (pattern) {
            case DensePattern d -> "{\"type\": \"dense\"}";
            case AShapePattern a -> String.format(Locale.ROOT, "{\"type\": \"a-shape\", \"sink\": %d, \"window\": %d}",
                    a.sink(), a.window());
            case VerticalSlashPattern vs -> String.format(Locale.ROOT,
                    "{\"type\": \"vertical-slash\", \"verticals\": %d, \"slashes\": %d}", vs.verticals(), vs.slashes());
            case GridPattern g -> String.format(Locale.ROOT, "{\"type\": \"grid\", \"sink\": %d, \"window\": %d, "
                            + "\"maxLines\": %d, \"lineMass\": %s, \"minStride\": %d, \"maxStride\": %d}", g.sink(),
                    g.window(), g.maxLines(), Double.toString(g.lineMass()), g.minStride(), g.maxStride());
        };
    }

    /**
     * Parses the format above.
     *
     * @throws IllegalArgumentException on malformed JSON or an unknown pattern, naming the position
     */
    public static PatternConfig parse(String json) {
        Object root = new Parser(json).document();
        Map<?, ?> top = as(root, Map.class, "top level");
        List<?> layerList = as(top.get("layers"), List.class, "layers");
        List<List<HeadConfig>> layers = new ArrayList<>();
        for (int l = 0; l < layerList.size(); l++) {
            List<HeadConfig> heads = new ArrayList<>();
            List<?> headList = as(layerList.get(l), List.class, "layer " + l);
            for (int h = 0; h < headList.size(); h++) {
                String where = "layer " + l + " head " + h;
                Map<?, ?> head = as(headList.get(h), Map.class, where);
                heads.add(new HeadConfig(Boundary.valueOf(as(head.get("boundary"), String.class, where + " boundary")),
                        pattern(as(head.get("text"), Map.class, where + " text"), where + " text"),
                        pattern(as(head.get("video"), Map.class, where + " video"), where + " video")));
            }
            layers.add(heads);
        }
        return new PatternConfig(layers);
    }

    private static HeadPattern pattern(Map<?, ?> p, String where) {
        String type = as(p.get("type"), String.class, where + " type");
        return switch (type) {
            case "dense" -> new DensePattern();
            case "a-shape" -> new AShapePattern(integer(p, "sink", where), integer(p, "window", where));
            case "vertical-slash" -> new VerticalSlashPattern(integer(p, "verticals", where),
                    integer(p, "slashes", where));
            case "grid" -> new GridPattern(integer(p, "sink", where), integer(p, "window", where),
                    integer(p, "maxLines", where), as(p.get("lineMass"), Double.class, where + " lineMass"),
                    integer(p, "minStride", where), integer(p, "maxStride", where));
            default -> throw new IllegalArgumentException(where + ": unknown pattern type " + type);
        };
    }

    private static int integer(Map<?, ?> p, String key, String where) {
        double value = as(p.get(key), Double.class, where + " " + key);
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException(where + " " + key + " is not an integer: " + value);
        }
        return (int) value;
    }

    private static <T> T as(Object value, Class<T> type, String where) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(where + ": expected " + type.getSimpleName() + ", got " + value);
        }
        return type.cast(value);
    }

    /** JSON to Map / List / String / Double / Boolean / null. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (at != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object value() {
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
            if (peek('}')) {
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
                if (peek(',')) {
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
            if (peek(']')) {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek(',')) {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (at < text.length() && text.charAt(at) != '"') {
                char c = text.charAt(at++);
                if (c == '\\') {
                    if (at >= text.length()) {
                        throw error("unfinished escape");
                    }
                    char e = text.charAt(at++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            if (at + 4 > text.length()) {
                                throw error("short unicode escape");
                            }
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> out.append(e);
                    }
                } else {
                    out.append(c);
                }
            }
            expect('"');
            return out.toString();
        }

        private Double number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw error("unexpected character '" + text.charAt(at) + "'");
            }
            try {
                return Double.valueOf(text.substring(start, at));
            } catch (NumberFormatException e) {
                throw error("bad number " + text.substring(start, at));
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("expected " + word);
            }
            at += word.length();
            return value;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException("pattern config JSON at offset " + at + ": " + message);
        }
    }
}
