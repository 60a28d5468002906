package dev.pgbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request's JSON body and typed reads of its fields. Bad JSON is a 400 with code bad_json; a field
 * of the wrong type, or one the route does not know (a typo would otherwise be ignored silently), is
 * a usage error naming the field.
 */
final class Body {
    /** Strict: a duplicate key or trailing text is bad JSON, not a guess. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final byte[] bytes;
    private JsonNode json;

    Body(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The parsed body; an empty body is an empty object. */
    JsonNode json() {
        if (json == null) {
            json = parse(bytes);
        }
        return json;
    }

    static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return STRICT.createObjectNode();
        }
        try {
            JsonNode n = STRICT.readTree(bytes);
            return n == null ? MissingNode.getInstance() : n;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("bad_json", "the request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")",
                    "send one JSON object (Content-Type: application/json)");
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("bad_json", "the request body cannot be read: " + e.getMessage(), "send one JSON object");
        }
    }

    /** {@code n} as an object with only {@code known} fields. */
    static JsonNode object(JsonNode n, String what, Set<String> known) {
        if (!n.isObject()) {
            throw usage(what + " must be a JSON object", "it is " + kind(n), "send {\"field\": value, ...}");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw usage("unknown field '" + f + "' in " + what, "the fields are: " + String.join(", ", new TreeSet<>(known)),
                        "fix the field's name (see GET /v1/openapi.json)");
            }
        }
        return n;
    }

    static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw usage("field '" + field + "' must be a string", "it is " + kind(v), "send \"" + field + "\": \"...\"");
        }
        return v.asText();
    }

    static Integer integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw usage("field '" + field + "' must be a whole number", "it is " + kind(v), "send e.g. \"" + field + "\": 10");
        }
        return v.intValue();
    }

    static Double decimal(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw usage("field '" + field + "' must be a number", "it is " + kind(v), "send e.g. \"" + field + "\": 0.5");
        }
        return v.doubleValue();
    }

    static Boolean bool(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw usage("field '" + field + "' must be true or false", "it is " + kind(v), "send \"" + field + "\": true");
        }
        return v.booleanValue();
    }

    /** A JSON object field (metadata, filter), or null. */
    static JsonNode jsonObject(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw usage("field '" + field + "' must be a JSON object", "it is " + kind(v),
                    "send e.g. \"" + field + "\": {\"topic\": \"billing\"}");
        }
        return v;
    }

    /** An array of numbers (an embedding), or null. */
    static float[] vector(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw usage("field '" + field + "' must be an array of numbers", "it is " + kind(v), "send e.g. \"" + field + "\": [0.1, 0.2, ...]");
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = v.get(i);
            if (!x.isNumber()) {
                throw usage("field '" + field + "' must be an array of numbers", "element " + i + " is " + kind(x),
                        "send numbers only");
            }
            out[i] = x.floatValue();
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "true/false";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "missing";
        };
    }

    private static PgboxException usage(String what, String cause, String fix) {
        return new PgboxException(ErrorKind.USAGE, what, cause, fix);
    }
}
