package dev.pgbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import dev.pgbox.memory.ClientSessions;
import dev.pgbox.memory.Memories;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP layer on a real socket: bearer auth, routing (404, 405), JSON errors with codes and
 * statuses, body checks (bad JSON, unknown fields, wrong types, 413) and the memory routes' input
 * checks, which answer before any database work. The project has no running server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerTest {
    static final String TOKEN = "pgbox_test-token-abc";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    ApiServer server;
    int port;
    final List<String> log = new CopyOnWriteArrayList<>();
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "");
        Settings s = Settings.load(dir, null, Map.of());
        List<Route> routes = new ArrayList<>(AgentApi.routes(new Memories(new ClientSessions(dev.pgbox.cluster.Server.open(s)), s)));
        routes.add(new Route("GET", "/v1/test/missing/{thing}", 200, c -> {
            throw new PgboxException(ErrorKind.NOT_FOUND, "no thing '" + c.path("thing") + "'", "there is none", "make one");
        }));
        routes.add(new Route("GET", "/v1/test/down", 200, c -> {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "the server is not running", "stopped", "pgbox start");
        }));
        routes.add(new Route("GET", "/v1/test/broken", 200, c -> {
            throw new IllegalStateException("boom");
        }));
        routes.add(new Route("POST", "/v1/test/echo", 201, c -> Map.of("got", c.json(), "q", c.query("q") == null ? "" : c.query("q"))));
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        server = ApiServer.start(port, TOKEN, 2, routes, log::add);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode e = JSON.readTree(r.body()).path("error");
        assertThat(e.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(e.path("message").asText()).isNotBlank();
        return e;
    }

    @Test
    void everyCallNeedsTheToken() throws Exception {
        HttpResponse<String> none = call("GET", "/v1/apps/shop/collections", null, null);
        error(none, 401, "unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        error(call("GET", "/v1/apps/shop/collections", "pgbox_test-token-abd", null), 401, "unauthorized");
        error(call("GET", "/v1/apps/shop/collections", TOKEN + "x", null), 401, "unauthorized");
        error(call("GET", "/v1/apps/shop/collections", "", null), 401, "unauthorized");
        // an unknown route under /v1 tells nothing without the token either
        error(call("GET", "/v1/nothing", null, null), 401, "unauthorized");
        // the token is never echoed
        assertThat(call("GET", "/v1/apps/shop/collections", TOKEN + "x", null).body()).doesNotContain(TOKEN);
    }

    @Test
    void theDescriptionIsOpen() throws Exception {
        HttpResponse<String> r = call("GET", ApiServer.OPENAPI, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("paths").has("/v1/apps/{app}/collections/{collection}/search")).isTrue();
        error(call("POST", ApiServer.OPENAPI, null, "{}"), 405, "method_not_allowed");
    }

    @Test
    void routingAnswers404And405WithJson() throws Exception {
        error(call("GET", "/v1/nothing/here", TOKEN, null), 404, "not_found");
        error(call("GET", "/metrics", null, null), 404, "not_found");
        error(call("GET", "/v1/apps/shop/collections/", TOKEN, null), 404, "not_found");
        HttpResponse<String> wrong = call("PUT", "/v1/apps/shop/collections", TOKEN, "{}");
        error(wrong, 405, "method_not_allowed");
        assertThat(wrong.headers().firstValue("Allow")).hasValue("GET, POST");
    }

    @Test
    void pgboxErrorsKeepTheirKindAsCodeAndStatus() throws Exception {
        JsonNode e = error(call("GET", "/v1/test/missing/x%20y", TOKEN, null), 404, "not_found");
        assertThat(e.path("message").asText()).isEqualTo("no thing 'x y'");
        assertThat(e.path("cause").asText()).isEqualTo("there is none");
        assertThat(e.path("fix").asText()).isEqualTo("make one");
        error(call("GET", "/v1/test/down", TOKEN, null), 503, "not_running");
        error(call("GET", "/v1/test/broken", TOKEN, null), 500, "internal");
        assertThat(log).anyMatch(l -> l.contains("/v1/test/broken") && l.contains("boom"));
        assertThat(log).noneMatch(l -> l.contains(TOKEN));
    }

    @Test
    void bodiesAreStrictJsonOfBoundedSize() throws Exception {
        HttpResponse<String> ok = call("POST", "/v1/test/echo?q=a%20b&x", TOKEN, "{\"a\": [1, 2]}");
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(ok.body()).path("got").path("a").size()).isEqualTo(2);
        assertThat(JSON.readTree(ok.body()).path("q").asText()).isEqualTo("a b");
        error(call("POST", "/v1/test/echo", TOKEN, "{\"a\": "), 400, "bad_json");
        error(call("POST", "/v1/test/echo", TOKEN, "{\"a\": 1} {}"), 400, "bad_json");
        error(call("POST", "/v1/test/echo", TOKEN, "{\"a\": 1, \"a\": 2}"), 400, "bad_json");
        String big = "{\"a\": \"" + "x".repeat(ApiServer.MAX_BODY) + "\"}";
        error(call("POST", "/v1/test/echo", TOKEN, big), 413, "too_large");
    }

    @Test
    void memoryInputIsCheckedBeforeAnyDatabaseWork() throws Exception {
        String c = "/v1/apps/shop/collections";
        error(call("POST", c, TOKEN, "{\"name\": \"notes\", \"dim\": \"384\"}"), 400, "usage");
        JsonNode unknown = error(call("POST", c, TOKEN, "{\"name\": \"notes\", \"dims\": 384}"), 400, "usage");
        assertThat(unknown.path("message").asText()).contains("dims");
        assertThat(unknown.path("cause").asText()).contains("dim", "metric", "text_config");
        error(call("POST", c, TOKEN, "{\"dim\": 384}"), 400, "usage");
        error(call("POST", c, TOKEN, "{\"name\": \"Bad-Name\"}"), 400, "usage");
        error(call("POST", c, TOKEN, "{\"name\": \"notes\", \"metric\": \"hamming\"}"), 400, "usage");
        error(call("POST", c, TOKEN, "{\"name\": \"notes\", \"model\": \"external\"}"), 400, "usage");
        error(call("POST", c, TOKEN, "[1, 2]"), 400, "usage");
        error(call("GET", "/v1/apps/Bad-App/collections", TOKEN, null), 400, "usage");
        String s = c + "/notes/search";
        JsonNode filter = error(call("POST", s, TOKEN, "{\"query\": \"x\", \"filter\": \"topic=a\"}"), 400, "usage");
        assertThat(filter.path("message").asText()).contains("filter");
        error(call("POST", s, TOKEN, "{\"query\": \"x\", \"mode\": \"fuzzy\"}"), 400, "usage");
        error(call("POST", s, TOKEN, "{\"query\": \"x\", \"limit\": 2.5}"), 400, "usage");
        error(call("POST", s, TOKEN, "{\"query\": \"x\", \"vector\": [1, \"a\"]}"), 400, "usage");
        String m = c + "/notes/memories";
        error(call("POST", m, TOKEN, "{\"content\": \"x\", \"metadata\": [1]}"), 400, "usage");
        error(call("POST", m, TOKEN, "{\"memories\": []}"), 400, "usage");
        error(call("POST", m, TOKEN, "{\"memories\": [{\"content\": \"x\", \"colour\": 1}]}"), 400, "usage");
        error(call("POST", m, TOKEN, "{\"content\": \"x\", \"id\": \"42\"}"), 400, "usage");
        error(call("GET", m + "/not-a-uuid", TOKEN, null), 400, "usage");
        error(call("DELETE", m + "/0b6c1c52-5f43-4d7e-9f0e-2a1d7c1e9b11?hard=maybe", TOKEN, null), 400, "usage");
    }

    @Test
    void theBaseUrlIsLoopbackV1() {
        assertThat(ApiServer.url(9188)).isEqualTo("http://127.0.0.1:9188/v1");
    }
}
