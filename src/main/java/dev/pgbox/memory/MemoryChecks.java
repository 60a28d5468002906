package dev.pgbox.memory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.SafeText;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks every memory passes before anything is written (add, import, and the HTTP API): its text,
 * id, tenant, metadata and vector. Each refusal is a USAGE error saying what is wrong and how to fix it;
 * callers that handle many memories put the position (memory 3, file:line) in front of it.
 */
public final class MemoryChecks {
    /** Longest tenant id: a user or tenant id, never a document. */
    public static final int MAX_TENANT_CHARS = 200;

    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f-\\x9f]");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MemoryChecks() {
    }

    /** Refuses an empty or blank text, one with a NUL character, or one longer than {@code maxChars} characters. */
    public static String content(String text, int maxChars) {
        if (text == null || text.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "the text is empty", "a memory is a text (its embedding is made from it)",
                    "pass the text to remember");
        }
        if (text.isBlank()) {
            throw new PgboxException(ErrorKind.USAGE, "the text is only white space", "a memory is a text (its embedding is made from it)",
                    "pass the text to remember");
        }
        if (text.indexOf('\0') >= 0) {
            throw new PgboxException(ErrorKind.USAGE, "the text holds a NUL character", "PostgreSQL text cannot hold NUL (0x00)",
                    "remove the NUL characters");
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > maxChars) {
            throw new PgboxException(ErrorKind.USAGE, "the text has " + chars + " characters, more than the limit of " + maxChars,
                    "MEMORY_MAX_CHARS is " + maxChars + " (the model reads only the first 256 tokens, about 1,000 characters, of a text)",
                    "split it into several memories, or raise MEMORY_MAX_CHARS in .env.dev");
        }
        return text;
    }

    /** The id in its canonical lowercase form; refuses anything but a uuid (8-4-4-4-12 hex digits). */
    public static String id(String id) {
        if (id == null || !UUID_FORM.matcher(id).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid memory id " + shown(id),
                    "a memory id is a uuid: 32 hex digits as 8-4-4-4-12, e.g. 0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b",
                    "pass the id 'memory add' printed (or leave --id out to get a new one)");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    /** A tenant id: 1 to 200 characters, no control characters; null stays null. */
    public static String tenant(String tenant) {
        if (tenant == null) {
            return null;
        }
        if (tenant.isEmpty() || tenant.isBlank()) {
            throw new PgboxException(ErrorKind.USAGE, "the tenant is empty", "a tenant id names whose memory it is",
                    "pass a user or tenant id, e.g. --tenant user-42, or leave the option out");
        }
        int chars = tenant.codePointCount(0, tenant.length());
        if (chars > MAX_TENANT_CHARS) {
            throw new PgboxException(ErrorKind.USAGE, "the tenant has " + chars + " characters, more than " + MAX_TENANT_CHARS,
                    "a tenant id names a user or tenant; it is not a document", "pass a shorter id (a user id or a hash of one)");
        }
        if (CONTROL.matcher(tenant).find()) {
            throw new PgboxException(ErrorKind.USAGE, "the tenant " + shown(tenant) + " holds control characters",
                    "tenant ids are shown in listings and logs", "pass an id without control characters (tabs, line breaks, ESC, ...)");
        }
        return tenant;
    }

    /** The tenant a write to {@code c} is scoped to: required with tenancy. */
    public static String tenantFor(Collection c, String tenant) {
        String t = tenant(tenant);
        if (c.tenant() && t == null) {
            throw new PgboxException(ErrorKind.USAGE, "collection '" + c.name() + "' needs a tenant",
                    "it was made with --tenant: row-level security keeps each tenant's memories apart, so every memory belongs to one",
                    "pass --tenant ID (in a file: a \"tenant\" field or column on every line)");
        }
        return t;
    }

    /** The metadata as JSON text: a JSON object, or {} for null. */
    public static String metadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull() || metadata.isMissingNode()) {
            return "{}";
        }
        if (!metadata.isObject()) {
            throw new PgboxException(ErrorKind.USAGE, "the metadata is a JSON " + metadata.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ", not an object", "metadata is a JSON object of your own fields; searches filter on it with JSON containment",
                    "pass an object, e.g. --metadata '{\"source\": \"chat\", \"user\": 42}'");
        }
        String text = metadata.toString();
        if (text.contains("\\u0000")) {
            throw new PgboxException(ErrorKind.USAGE, "the metadata holds a NUL character (\\u0000)", "PostgreSQL's jsonb cannot hold it",
                    "remove it from the metadata");
        }
        return text;
    }

    /** Parses metadata given as text; refuses text that is not JSON or not an object. */
    public static JsonNode parseMetadata(String text) {
        if (text == null) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new PgboxException(ErrorKind.USAGE, "the metadata is not valid JSON", oneLine(e.getMessage()),
                    "pass a JSON object, e.g. --metadata '{\"source\": \"chat\"}'");
        }
        if (node == null || node.isMissingNode()) {
            throw new PgboxException(ErrorKind.USAGE, "the metadata is empty", "metadata is a JSON object", "pass {} or leave it out");
        }
        metadata(node);
        return node;
    }

    /** Parses a vector given as a JSON array of numbers. */
    public static float[] parseVector(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text == null ? "" : text);
        } catch (java.io.IOException e) {
            throw new PgboxException(ErrorKind.USAGE, "the vector is not valid JSON", oneLine(e.getMessage()),
                    "pass a JSON array of numbers, e.g. [0.1, -0.2, 0.3]");
        }
        return vector(node);
    }

    /** A vector from a JSON node: an array of numbers. */
    public static float[] vector(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new PgboxException(ErrorKind.USAGE, "the vector is not a JSON array", "a vector is a JSON array of numbers",
                    "pass e.g. [0.1, -0.2, 0.3]");
        }
        float[] v = new float[node.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isNumber()) {
                throw new PgboxException(ErrorKind.USAGE, "the vector's element " + (i + 1) + " is not a number",
                        "a vector is a JSON array of numbers", "pass e.g. [0.1, -0.2, 0.3]");
            }
            v[i] = x.floatValue();
        }
        return v;
    }

    /** The vector as stored in {@code c}: its dimension checked, unit length for cosine collections. */
    public static float[] storedVector(float[] v, Collection c) {
        Vectors.check(v, c);
        return c.metricKind().normalised() ? Vectors.normalised(v) : v;
    }

    private static String shown(String v) {
        if (v == null) {
            return "(none)";
        }
        String s = v.length() > 60 ? v.substring(0, 60) + "…" : v;
        return "'" + SafeText.printable(s) + "'";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return null;
        }
        // Jackson appends the source position on new lines; the first line says what
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
