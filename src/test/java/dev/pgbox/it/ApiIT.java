package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's HTTP API on a real server with the real model, one project for the class: the token
 * pgbox start generates (0600, never in argv or the agent's log), 401s, the OpenAPI description,
 * status's URL, and the memory routes end to end as the app's login role (an app made after the
 * agent started works at once): create, add, a paraphrase found first, get, delete, JSON errors; a
 * tenant sees only its own memories, and a hard delete removes the row.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static PgboxProject project;
    static ArgvScanner argv;
    static int apiPort;
    static String base;
    static String token;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        argv = new ArgvScanner();
        apiPort = PgboxProject.freePort();
        // nothing else of the agent's: its jobs, doctor and metrics would only add load
        project = PgboxProject.create("api", "PGBOX_API_PORT=" + apiPort, "PGBOX_JOBS_SYNC_SCHEDULE=", "PGBOX_DOCTOR_INTERVAL=0",
                "PGBOX_METRICS_INTERVAL=0");
        project.ok("start");
        // made after the agent started: its password reaches the agent through the snapshot, updated in place
        project.ok("app", "create", "shop");
        base = "http://127.0.0.1:" + apiPort + "/v1";
        token = Files.readString(project.dir().resolve(".env.secrets")).lines().filter(l -> l.startsWith("PGBOX_API_TOKEN="))
                .map(l -> l.substring("PGBOX_API_TOKEN=".length()).strip()).findFirst().orElseThrow();
        for (int i = 0; i < 100; i++) {
            try {
                if (call("GET", "/openapi.json", null, null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the agent is still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the API did not answer on " + base + ":\n" + Files.readString(agentLog()));
    }

    @AfterAll
    static void stop() {
        if (argv != null) {
            argv.close();
        }
        if (project != null) {
            project.close();
        }
    }

    static Path agentLog() {
        return project.dir().resolve(".pgbox/log/agent.log");
    }

    static HttpResponse<String> call(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = call(method, path, token, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    static JsonNode error(String method, String path, String bearer, String body, int status, String code) throws Exception {
        HttpResponse<String> r = call(method, path, bearer, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body()).path("error");
        assertThat(e.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(e.path("message").asText()).isNotBlank();
        return e;
    }

    @Test
    @Order(1)
    void theTokenIsAGeneratedSecretOfTheProject() throws Exception {
        assertThat(token).matches("pgbox_[A-Za-z0-9_-]{43}");
        Path secrets = project.dir().resolve(".env.secrets");
        assertThat(Files.getPosixFilePermissions(secrets)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // wherever the layout keeps it: the snapshot is the agent's only source, 0600
        Path snapshot;
        try (var files = Files.walk(project.dir().resolve(".pgbox"))) {
            snapshot = files.filter(f -> f.getFileName().toString().equals("agent.env")).findFirst().orElseThrow();
        }
        assertThat(Files.getPosixFilePermissions(snapshot)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String agentEnv = Files.readString(snapshot);
        assertThat(agentEnv).contains("PGBOX_API_TOKEN='" + token + "'", "PGBOX_APP_SHOP_PASSWORD=");
        assertThat(Files.readString(agentLog())).contains("api: serving " + base).doesNotContain(token);
    }

    @Test
    @Order(2)
    void noTokenOrAWrongOneIs401Json() throws Exception {
        error("GET", "/apps/shop/collections", null, null, 401, "unauthorized");
        error("GET", "/apps/shop/collections", token.substring(0, token.length() - 1) + "x", null, 401, "unauthorized");
        error("POST", "/apps/shop/collections/notes/search", "", "{\"query\": \"x\"}", 401, "unauthorized");
        HttpResponse<String> r = call("GET", "/apps/shop/collections", "wrong", null);
        assertThat(r.body()).doesNotContain(token);
    }

    @Test
    @Order(3)
    void theOpenApiDescriptionListsTheMemoryRoutes() throws Exception {
        HttpResponse<String> r = call("GET", "/openapi.json", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.0");
        List<String> paths = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/v1/apps/{app}/collections", "/v1/apps/{app}/collections/{collection}/memories",
                "/v1/apps/{app}/collections/{collection}/memories/{id}", "/v1/apps/{app}/collections/{collection}/search");
        assertThat(doc.at("/servers/0/variables/port/default").asText()).isEqualTo(Integer.toString(apiPort));
    }

    @Test
    @Order(4)
    void routingAndBodyErrorsAreJson() throws Exception {
        error("GET", "/apps/shop/nothing", token, null, 404, "not_found");
        error("PATCH", "/apps/shop/collections", token, "{}", 405, "method_not_allowed");
        error("POST", "/apps/shop/collections", token, "{\"name\": ", 400, "bad_json");
        error("POST", "/apps/shop/collections", token, "{\"name\": \"notes\", \"dimension\": 3}", 400, "usage");
    }

    @Test
    @Order(5)
    void statusShowsTheApiUrl() throws Exception {
        JsonNode status = JSON.readTree(project.ok("status", "--json").stdout());
        assertThat(status.path("api_url").asText()).isEqualTo(base);
        assertThat(project.ok("status").stdout()).contains("api          " + base);
    }

    @Test
    @Order(6)
    void collectionsAreReadAsTheAppsLoginRoleOnPooledConnections() throws Exception {
        HttpResponse<String> list = call("GET", "/apps/shop/collections", token, null);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(JSON.readTree(list.body()).path("collections").isArray()).isTrue();
        // the app was made after the agent started: its password came through the snapshot, and the pool logs in as the app
        String who = project.admin().value("postgres",
                "SELECT string_agg(DISTINCT usename || '/' || datname, ',') FROM pg_stat_activity WHERE application_name = 'pgbox-api'");
        assertThat(who).isEqualTo("shop/shop");
        error("GET", "/apps/nosuchapp/collections", token, null, 404, "not_found");
        error("GET", "/apps/shop/collections/nope", token, null, 404, "not_found");
    }

    @Test
    @Order(7)
    void memoriesEndToEndAsTheAppsLoginRole() throws Exception {
        HttpResponse<String> first = call("POST", "/apps/shop/collections", token, "{\"name\": \"notes\"}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode made = JSON.readTree(first.body());
        assertThat(made.path("name").asText()).isEqualTo("notes");
        assertThat(made.path("dim").asInt()).isEqualTo(384);
        JsonNode list = ok("GET", "/apps/shop/collections", null, 200);
        assertThat(list.path("collections").findValuesAsText("name")).containsExactly("notes");
        assertThat(ok("GET", "/apps/shop/collections/notes", null, 200).path("metric").asText()).isEqualTo("cosine");

        JsonNode added = ok("POST", "/apps/shop/collections/notes/memories", "{\"memories\": ["
                + "{\"content\": \"The cat slept on the warm windowsill all afternoon.\", \"metadata\": {\"topic\": \"pets\"}},"
                + "{\"content\": \"Quarterly revenue grew by twelve percent over last year.\", \"metadata\": {\"topic\": \"finance\"}},"
                + "{\"content\": \"To change your password, open the settings page and choose security.\", \"metadata\": {\"topic\": \"help\"}}"
                + "]}", 201);
        assertThat(added.path("ids").size()).isEqualTo(3);
        String passwordId = added.path("ids").get(2).asText();
        String one = ok("POST", "/apps/shop/collections/notes/memories", "{\"content\": \"Invoices are sent on the first of the month.\"}",
                201).path("ids").get(0).asText();

        assertThat(ok("GET", "/apps/shop/collections/notes/memories/" + one, null, 200).path("content").asText())
                .isEqualTo("Invoices are sent on the first of the month.");
        JsonNode deleted = ok("DELETE", "/apps/shop/collections/notes/memories/" + one, null, 200);
        assertThat(deleted.path("id").asText()).isEqualTo(one);
        assertThat(deleted.path("hard").asBoolean()).isFalse();
        error("GET", "/apps/shop/collections/notes/memories/" + one, token, null, 404, "not_found");
        error("DELETE", "/apps/shop/collections/notes/memories/" + one, token, null, 404, "not_found");

        // the API ran as the app's own login role (its owner role for the create), on pooled connections
        String who = project.admin().value("postgres",
                "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE application_name = 'pgbox-api'");
        assertThat(who).isEqualTo("shop");

        error("GET", "/apps/shop/collections/nope", token, null, 404, "not_found");
        error("POST", "/apps/shop/collections/nope/memories", token, "{\"content\": \"x\"}", 404, "not_found");
        error("GET", "/apps/nosuchapp/collections", token, null, 404, "not_found");
        error("POST", "/apps/shop/collections", token, "{\"name\": \"notes\"}", 400, "usage");
        error("POST", "/apps/shop/collections/notes/memories", token, "{\"content\": \"x\", \"vector\": [1, 2]}", 400, "usage");
        error("POST", "/apps/shop/collections/notes/memories", token, "{\"content\": \"\"}", 400, "usage");
        error("POST", "/apps/shop/collections/notes/search", token, "{\"query\": \"x\", \"filter\": \"topic\"}", 400, "usage");
        error("POST", "/apps/shop/collections/notes/search", token, "{\"query\": \"x\", \"filter\": [1]}", 400, "usage");

        HttpResponse<String> search = call("POST", "/apps/shop/collections/notes/search", token,
                "{\"query\": \"how do I reset my login credentials\", \"limit\": 3}");
        assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
        assertThat(JSON.readTree(search.body()).path("hits").get(0).path("id").asText()).isEqualTo(passwordId);
        JsonNode filtered = ok("POST", "/apps/shop/collections/notes/search",
                "{\"query\": \"how do I reset my login credentials\", \"filter\": {\"topic\": \"finance\"}}", 200);
        assertThat(filtered.path("hits").findValuesAsText("id")).hasSize(1).doesNotContain(passwordId);
        JsonNode after = ok("POST", "/apps/shop/collections/notes/search", "{\"query\": \"invoices first of the month\", \"limit\": 10}", 200);
        assertThat(after.path("hits").findValuesAsText("id")).hasSize(3).doesNotContain(one);
    }

    @Test
    @Order(8)
    void aTenantSeesOnlyItsOwnMemories() throws Exception {
        assertThat(ok("POST", "/apps/shop/collections", "{\"name\": \"private\", \"tenant\": true}", 201).path("tenant").asBoolean())
                .isTrue();
        String mine = ok("POST", "/apps/shop/collections/private/memories",
                "{\"memories\": [{\"content\": \"Alice prefers tea over coffee in the morning.\"}], \"tenant\": \"alice\"}", 201)
                .path("ids").get(0).asText();
        JsonNode asBob = ok("POST", "/apps/shop/collections/private/search", "{\"query\": \"what does alice drink\", \"tenant\": \"bob\"}", 200);
        assertThat(asBob.path("hits").size()).isZero();
        JsonNode asAlice = ok("POST", "/apps/shop/collections/private/search",
                "{\"query\": \"what does alice drink\", \"tenant\": \"alice\"}", 200);
        assertThat(asAlice.path("hits").findValuesAsText("id")).containsExactly(mine);
        error("GET", "/apps/shop/collections/private/memories/" + mine + "?tenant=bob", token, null, 404, "not_found");
        assertThat(ok("GET", "/apps/shop/collections/private/memories/" + mine + "?tenant=alice", null, 200).path("tenant").asText())
                .isEqualTo("alice");
        JsonNode gone = ok("DELETE", "/apps/shop/collections/private/memories/" + mine + "?tenant=alice&hard=true", null, 200);
        assertThat(gone.path("hard").asBoolean()).isTrue();
        assertThat(project.admin().value("shop", "SELECT count(*) FROM public.np_private")).isEqualTo("0");
    }

    @Test
    @Order(9)
    void aRotatedPasswordIsPickedUpWithoutARestart() throws Exception {
        String agent = Files.readString(project.dir().resolve(".pgbox/run/agent.pid")).strip();
        project.ok("app", "rotate-password", "shop");
        // the pooled sessions logged in with the old password; end them so the pool must log in again
        project.admin().value("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgbox-api'");
        JsonNode list = ok("GET", "/apps/shop/collections", null, 200);
        assertThat(list.path("collections").findValuesAsText("name")).contains("notes");
        assertThat(Files.readString(project.dir().resolve(".pgbox/run/agent.pid")).strip())
                .as("the same agent").isEqualTo(agent);
    }

    @Test
    @Order(10)
    void theTokenNeverShowsInArgvOrTheLog() throws Exception {
        argv.close();
        assertThat(argv.saw(" agent ")).isTrue();
        assertThat(argv.leaks(List.of(token))).isEmpty();
        assertThat(Files.readString(agentLog())).doesNotContain(token);
    }
}
