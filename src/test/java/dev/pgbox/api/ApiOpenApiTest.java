package dev.pgbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.ClientSessions;
import dev.pgbox.memory.Memories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-written OpenAPI description is valid JSON, OpenAPI 3.0, and describes exactly the routes the API serves. */
class ApiOpenApiTest {
    @TempDir
    Path dir;

    private List<Route> routes() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "");
        Settings s = Settings.load(dir, null, Map.of());
        return AgentApi.routes(new Memories(new ClientSessions(dev.pgbox.cluster.Server.open(s)), s));
    }

    @Test
    void describesEveryRouteAndNothingElse() throws IOException {
        JsonNode doc = OpenApi.document();
        assertThat(doc.path("openapi").asText()).startsWith("3.0.");
        Set<String> described = new HashSet<>();
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            for (Iterator<String> m = p.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (!method.equals("parameters")) {
                    described.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey());
                    assertThat(p.getValue().path(method).path("responses").size()).as(method + " " + p.getKey()).isPositive();
                }
            }
        }
        Set<String> served = new HashSet<>();
        for (Route r : routes()) {
            served.add(r.method() + " " + r.pattern());
        }
        served.add("GET " + ApiServer.OPENAPI);
        assertThat(described).isEqualTo(served);
        assertThat(described).contains("POST /v1/apps/{app}/collections/{collection}/memories",
                "POST /v1/apps/{app}/collections/{collection}/search", "DELETE /v1/apps/{app}/collections/{collection}/memories/{id}");
    }

    @Test
    void everyReferenceResolvesAndEveryPathParameterIsDeclared() {
        JsonNode doc = OpenApi.document();
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/components/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            Set<String> declared = new HashSet<>();
            p.getValue().path("parameters").forEach(x -> declared.add(x.path("name").asText()));
            for (String seg : Route.split(p.getKey())) {
                if (seg.startsWith("{")) {
                    assertThat(declared).as(p.getKey()).contains(seg.substring(1, seg.length() - 1));
                }
            }
        }
    }

    @Test
    void theServedTextCarriesThisAgentsPortAndTheBearerScheme() throws IOException {
        JsonNode served = Json.REPORTS.readTree(new OpenApi(54321).text());
        assertThat(served.at("/servers/0/variables/port/default").asText()).isEqualTo("54321");
        assertThat(served.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        // the description itself is open: no security on its operation
        assertThat(served.at("/paths/~1v1~1openapi.json/get/security").isArray()).isTrue();
        assertThat(served.at("/paths/~1v1~1openapi.json/get/security").size()).isZero();
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(x -> collectRefs(x, out));
        }
    }
}
