package dev.pgbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API's OpenAPI 3.0 description: written by hand beside the code (openapi.json in this package's
 * resources; a unit test checks that it describes exactly the routes served), with the server's URL
 * set to this agent's port.
 */
final class OpenApi {
    static final String RESOURCE = "openapi.json";

    private final String text;

    OpenApi(int port) {
        ObjectNode doc = (ObjectNode) document();
        ((ObjectNode) doc.path("servers").path(0).path("variables").path("port")).put("default", Integer.toString(port));
        this.text = Json.render(doc) + "\n";
    }

    String text() {
        return text;
    }

    /** The description as written. */
    static JsonNode document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + RESOURCE + " beside " + OpenApi.class.getName());
            }
            return Json.REPORTS.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
