package dev.pgbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The JSON form of every report model, the same for {@code --json}, the agent and a later HTTP API:
 * record components in snake_case ({@code agentRunning} becomes {@code agent_running}), absent values
 * (null) left out, times as the ISO-8601 text or epoch numbers the model holds.
 */
public final class Json {
    public static final ObjectMapper REPORTS = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** The model as indented JSON text. */
    public static String render(Object model) {
        try {
            return REPORTS.writeValueAsString(model);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report model does not serialize: " + e.getMessage(), e);
        }
    }

    /** The model as a JSON tree (to merge into a bigger report, or to check in a test). */
    public static JsonNode tree(Object model) {
        return REPORTS.valueToTree(model);
    }
}
