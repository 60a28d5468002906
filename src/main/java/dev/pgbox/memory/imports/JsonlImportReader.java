package dev.pgbox.memory.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.PgboxException;
import dev.pgbox.memory.MemoryChecks;
import dev.pgbox.memory.NewMemory;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * JSONL: one JSON object per line, {"content": "...", "id": "uuid", "metadata": {...}, "tenant": "...",
 * "embedding": [...]}; only content is required. Other fields are refused (a misspelt "contents" would
 * otherwise import nothing useful).
 */
final class JsonlImportReader extends ImportReader {
    static final Set<String> FIELDS = Set.of("content", "id", "metadata", "tenant", "embedding");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private long line;

    JsonlImportReader(String shown, BufferedReader in) {
        super(shown, in);
    }

    @Override
    public ImportLine next() throws IOException {
        while (true) {
            String text;
            try {
                text = in.readLine();
            } catch (IOException e) {
                throw unreadable(line + 1, e);
            }
            if (text == null) {
                return null;
            }
            line++;
            if (line == 1) {
                text = stripBom(text);
            }
            if (!text.isBlank()) {
                return new ImportLine(line, parse(text));
            }
        }
    }

    @Override
    public long linesRead() {
        return line;
    }

    private NewMemory parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            throw at(line, "not a JSON object", msg, "write one JSON object per line, e.g. {\"content\": \"...\"}");
        }
        if (node == null || !node.isObject()) {
            throw at(line, "not a JSON object", "the line holds a JSON " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()),
                    "write one JSON object per line, e.g. {\"content\": \"...\"}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw at(line, "unknown field '" + f + "'", "a line may hold content, id, metadata, tenant and embedding",
                        "rename or remove the field (metadata holds fields of your own)");
            }
        }
        JsonNode content = node.get("content");
        if (content == null || content.isNull()) {
            throw at(line, "no content", "every line needs the text to remember", "add \"content\": \"...\"");
        }
        try {
            return new NewMemory(text(node, "id"), content.isTextual() ? content.asText() : wrongType("content", "a string"),
                    meta(node.get("metadata")), text(node, "tenant"),
                    node.hasNonNull("embedding") ? MemoryChecks.vector(node.get("embedding")) : null);
        } catch (PgboxException e) {
            throw at(line, e.what(), e.reason(), e.fix());
        }
    }

    private static JsonNode meta(JsonNode m) {
        if (m == null || m.isNull()) {
            return null;
        }
        MemoryChecks.metadata(m);
        return m;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : wrongType(field, "a string");
    }

    private static String wrongType(String field, String want) {
        throw new PgboxException(dev.pgbox.ErrorKind.USAGE, "\"" + field + "\" is not " + want, "the field " + field + " holds text",
                "write \"" + field + "\": \"...\"");
    }
}
