package dev.pgbox.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pgbox.monitor.DoctorReport;
import dev.pgbox.monitor.Finding;
import dev.pgbox.monitor.Severity;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against a real HTTP receiver on loopback: one POST per evaluation, retries, the state file. */
class AlertEngineTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final String TOKEN = "T0KEN-s3cr3t";

    @TempDir
    Path dir;
    HttpServer receiver;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final AtomicInteger failNext = new AtomicInteger();
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook/" + TOKEN, ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int code = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            if (code == 200) {
                bodies.add(body);
            }
            byte[] answer = (code == 200 ? "ok" : "broken " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(code, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    AlertEngine engine() {
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/" + TOKEN;
        return new AlertEngine(new AlertFiles(dir.resolve("alerts"), System.getProperty("user.name")),
                List.of(WebhookNotifier.of(url, "auto")), Duration.ofHours(4), "pgbox on test (/srv/x)", log::add);
    }

    static DoctorReport report(Finding... f) {
        return DoctorReport.of(T0.toString(), List.of("app"), 1, List.of(f));
    }

    static Finding bad(String check, String db) {
        return new Finding(check, Severity.WARN, db, null, "bad", "warn 1", "why", "fix");
    }

    @Test
    void oneEvaluationIsOnePostWithEveryAlertAndTheStateSurvivesARestart() throws Exception {
        List<Alert> sent = engine().evaluate(report(bad("connections", null), bad("dead_tuples", "app"), bad("dead_tuples", "shop")), T0, true);
        assertThat(sent).hasSize(3);
        assertThat(bodies).hasSize(1);
        JsonNode body = new ObjectMapper().readTree(bodies.get(0));
        assertThat(body.get("alerts")).hasSize(3);
        assertThat(body.get("text").asText()).startsWith("pgbox on test (/srv/x): 3 firing");
        assertThat(Files.readString(dir.resolve("alerts/alerts.log"))).contains("[WARN] connections: bad", "dead_tuples in shop");

        // a new engine (the agent restarted) reads the state: nothing is sent again inside the quiet period
        AlertEngine again = engine();
        assertThat(again.evaluate(report(bad("connections", null), bad("dead_tuples", "app"), bad("dead_tuples", "shop")),
                T0.plusSeconds(60), true)).isEmpty();
        assertThat(bodies).hasSize(1);
        again.evaluate(report(bad("connections", null)), T0.plusSeconds(120), true);
        assertThat(bodies).hasSize(2);
        assertThat(new ObjectMapper().readTree(bodies.get(1)).get("alerts")).extracting(a -> a.get("kind").asText())
                .containsExactly("resolved", "resolved");
    }

    @Test
    void aFailingWebhookIsLoggedWithoutItsTokenAndRetriedWithTheNextEvaluation() throws Exception {
        AlertEngine e = engine();
        failNext.set(1);
        e.evaluate(report(bad("connections", null)), T0, true);
        assertThat(bodies).isEmpty();
        assertThat(String.join("\n", log)).contains("webhook to 127.0.0.1 (json) FAILED", "HTTP 500").doesNotContain(TOKEN);
        assertThat(Files.readString(dir.resolve("alerts/state.json"))).contains("\"outbox\"", "\"webhook\"");

        // the next evaluation has nothing new, yet delivers what waited
        e.evaluate(report(bad("connections", null)), T0.plusSeconds(60), true);
        assertThat(bodies).hasSize(1);
        JsonNode alerts = new ObjectMapper().readTree(bodies.get(0)).get("alerts");
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).get("kind").asText()).isEqualTo("firing");
        assertThat(new AlertFiles(dir.resolve("alerts"), "root").readState().outbox()).isEmpty();
    }

    @Test
    void anUnreachableWebhookFailsWithinItsTimeoutAndNeverThrows() throws Exception {
        receiver.stop(0);
        AlertEngine e = engine();
        assertThat(e.evaluate(report(bad("connections", null)), T0, true)).hasSize(1);
        assertThat(String.join("\n", log)).contains("cannot reach 127.0.0.1").doesNotContain(TOKEN);
        assertThat(new AlertFiles(dir.resolve("alerts"), "root").readState().outbox().get("webhook")).hasSize(1);
    }

    @Test
    void aServerStoppedOnPurposeIsNoAlertButACrashedOneIs() throws Exception {
        AlertEngine e = engine();
        e.evaluate(report(bad("connections", null)), T0, true);
        Finding down = new Finding("server_up", Severity.CRITICAL, null, null, "not running", "running", "why", "pgbox start");
        assertThat(e.evaluate(report(down), T0.plusSeconds(60), false)).isEmpty();
        assertThat(bodies).hasSize(1);
        assertThat(e.evaluate(report(down), T0.plusSeconds(120), true)).extracting(Alert::kind).containsExactly("firing");
        assertThat(new AlertFiles(dir.resolve("alerts"), "root").readState().alerts()).containsOnlyKeys("connections", "server_up");
    }
}
