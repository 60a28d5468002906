package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's alerts on a real server: too many connections (PGBOX_DOCTOR_CONNECTIONS_WARN=5 of
 * max_connections 100) fire to a webhook receiver on loopback and to GreenMail, closing them resolves;
 * 'alerts test' reaches both; a silence stops the notification and lifting it fires again.
 * GreenMail 2.1.3 offers no STARTTLS on plain SMTP, so the mail goes with PGBOX_ALERT_SMTP_SECURITY=none
 * (loopback only; EmailNotifierTest shows the default refusing a server without STARTTLS).
 */
@Timeout(300)
class AlertsIT {
    static final String TOKEN = "hook-T0KEN-4f9e";
    static final String SMTP_PASSWORD = "smtp-pw-77c1";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(250); // polling the agent's next doctor run (every 1s), not synchronising
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** The alerts of every webhook body received so far, as kind:check. */
    List<String> received() {
        List<String> out = new ArrayList<>();
        for (JsonNode b : bodies) {
            b.get("alerts").forEach(a -> out.add(a.get("kind").asText() + ":" + a.get("check").asText()));
        }
        return out;
    }

    static long count(List<String> l, String item) {
        return l.stream().filter(item::equals).count();
    }

    static List<String> mailBodies() {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : MAIL.getReceivedMessages()) {
            try {
                out.add(m.getSubject() + "\n" + GreenMailUtil.getBody(m));
            } catch (jakarta.mail.MessagingException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    static List<Connection> open(PgboxProject p, int n) {
        List<Connection> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add(p.connectApp());
        }
        return c;
    }

    static void close(List<Connection> cs) throws Exception {
        for (Connection c : cs) {
            c.close();
        }
    }

    @Test
    void tooManyConnectionsFireAndResolveByWebhookAndMailAndASilenceStopsThem() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook/" + TOKEN, ex -> {
            bodies.add(new ObjectMapper().readTree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        MAIL.setUser("pgbox", SMTP_PASSWORD);
        Map<String, String> secrets = Map.of(
                "PGBOX_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/" + TOKEN,
                "PGBOX_ALERT_SMTP_PASSWORD", SMTP_PASSWORD);
        try (PgboxProject p = PgboxProject.create("alerts", "POSTGRES_MAX_CONNECTIONS=100", "PGBOX_DOCTOR_INTERVAL=1s",
                "PGBOX_METRICS_INTERVAL=0", "PGBOX_DOCTOR_CONNECTIONS_WARN=5", "PGBOX_DOCTOR_CONNECTIONS_CRITICAL=50",
                "PGBOX_ALERT_SMTP_HOST=127.0.0.1", "PGBOX_ALERT_SMTP_PORT=" + MAIL.getSmtp().getPort(),
                "PGBOX_ALERT_SMTP_SECURITY=none", "PGBOX_ALERT_SMTP_USER=pgbox", "PGBOX_ALERT_EMAIL_FROM=pgbox@example.com",
                "PGBOX_ALERT_EMAIL_TO=ops@example.com")) {
            PgboxProject.Run start = p.pgboxAs(null, secrets, "start");
            assertThat(start.exitCode()).as(start.all()).isZero();
            assertThat(p.admin().value("postgres", "SHOW max_connections")).isEqualTo("100");
            Supplier<JsonNode> list = () -> {
                try {
                    return new ObjectMapper().readTree(p.ok("alerts", "list", "--json").stdout());
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            };
            await("the agent's first evaluation", () -> list.get().has("evaluated_at"));
            assertThat(list.get().path("agent_running").asBoolean()).isTrue();
            assertThat(received()).isEmpty();

            // 8 sessions of 100 cross 5 %: one alert by webhook and by mail
            List<Connection> sessions = open(p, 8);
            await("the connections alert at the webhook", () -> received().contains("firing:connections"));
            JsonNode firing = bodies.get(0);
            assertThat(firing.get("text").asText()).contains("[WARN] connections:", "of 100", "warn 5 %");
            assertThat(firing.get("alerts").get(0).get("severity").asText()).isEqualTo("warn");
            await("the connections alert by mail", () -> mailBodies().stream().anyMatch(m -> m.contains("[WARN] connections:")));
            assertThat(mailBodies().get(0)).startsWith("[pgbox] pgbox on ").contains("1 firing", "fix: ");
            JsonNode row = list.get().get("alerts").get(0);
            assertThat(row.get("key").asText()).isEqualTo("connections");
            assertThat(row.get("severity").asText()).isEqualTo("warn");
            assertThat(row.has("last_sent")).isTrue();
            assertThat(row.has("silenced_until")).isFalse();
            String text = p.ok("alerts", "list").stdout();
            assertThat(text).contains("agent running", "connections", "warn");
            // status counts it too
            assertThat(new ObjectMapper().readTree(p.ok("status", "--json").stdout()).path("alerts_firing").asInt()).isEqualTo(1);
            assertThat(p.ok("status").stdout()).contains("alerts       1 firing: pgbox alerts list");

            // alerts test reaches both notifiers now
            PgboxProject.Run test = p.pgboxAs(null, secrets, "alerts", "test");
            assertThat(test.exitCode()).as(test.all()).isZero();
            assertThat(test.stdout()).contains("webhook", "127.0.0.1 (json)", "email", "ops@example.com").doesNotContain(TOKEN, "FAILED");
            await("the test alert at the webhook", () -> received().contains("test:test"));
            await("the test alert by mail", () -> mailBodies().stream().anyMatch(m -> m.contains("[TEST]")));

            // closing them resolves, once
            close(sessions);
            await("the resolve at the webhook", () -> received().contains("resolved:connections"));
            await("the resolve by mail", () -> mailBodies().stream().anyMatch(m -> m.contains("[RESOLVED] connections")));
            assertThat(count(received(), "firing:connections")).isEqualTo(1);
            await("the state to be empty", () -> list.get().get("alerts").isEmpty());
            assertThat(p.ok("status").stdout()).contains("alerts       none firing");

            // silenced: the same condition is tracked but not sent
            assertThat(p.ok("alerts", "silence", "connections", "--for", "1h").stdout()).contains("silenced connections until");
            int before = received().size();
            sessions = open(p, 8);
            await("the silenced alert in the state", () -> {
                JsonNode a = list.get().get("alerts");
                return a.size() == 1 && a.get(0).has("silenced_until");
            });
            assertThat(list.get().get("alerts").get(0).has("last_sent")).isFalse();
            assertThat(received()).hasSize(before);
            assertThat(p.ok("alerts", "list").stdout()).contains("silenced: connections until");

            // lifted while still bad: it fires now
            assertThat(p.ok("alerts", "silence", "connections", "--clear").stdout()).contains("silence lifted: connections");
            await("the alert after the silence", () -> count(received(), "firing:connections") == 2);
            close(sessions);
            await("the second resolve", () -> count(received(), "resolved:connections") == 2);

            // bad input is refused clearly
            PgboxProject.Run bad = p.pgbox("alerts", "silence", "connections", "--for", "soon");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.stderr()).contains("'soon' is not a silence duration");

            // the token and the SMTP password are in no log
            String agentLog = Files.readString(p.dir().resolve(".pgbox/log/agent.log"));
            String alertsLog = Files.readString(p.dir().resolve(".pgbox/alerts/alerts.log"));
            assertThat(agentLog).contains("alert: ", "sent 1 alert(s) by webhook to 127.0.0.1 (json)").doesNotContain(TOKEN, SMTP_PASSWORD);
            assertThat(alertsLog).contains("[WARN] connections", "[RESOLVED] connections", "[TEST]").doesNotContain(TOKEN, SMTP_PASSWORD);
            Path state = p.dir().resolve(".pgbox/alerts/state.json");
            assertThat(Files.getOwner(state).getName()).isEqualTo("postgres");
            assertThat(Files.getOwner(p.dir().resolve(".pgbox/alerts/silences.json")).getName()).isEqualTo("postgres");

            p.ok("stop");
            assertThat(p.ok("alerts", "list").stdout()).contains("agent NOT running");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void alertsTestSaysWhenNothingIsConfiguredAndFailsOnAnUnreachableWebhook() throws Exception {
        try (PgboxProject p = PgboxProject.create("alertstest", "PGBOX_AGENT=off")) {
            PgboxProject.Run none = p.pgbox("alerts", "test");
            assertThat(none.exitCode()).as(none.all()).isEqualTo(3);
            assertThat(none.stdout()).contains("no notifier configured besides the log", "log");
            int closedPort = PgboxProject.freePort();
            PgboxProject.Run down = p.pgboxAs(null, Map.of("PGBOX_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + closedPort + "/hook/" + TOKEN),
                    "alerts", "test", "--json");
            assertThat(down.exitCode()).as(down.all()).isEqualTo(9);
            JsonNode r = new ObjectMapper().readTree(down.stdout());
            assertThat(r.get("ok").asBoolean()).isFalse();
            assertThat(r.get("results").get(1).get("notifier").asText()).isEqualTo("webhook");
            assertThat(r.get("results").get(1).get("detail").asText()).contains("cannot reach 127.0.0.1");
            assertThat(down.all()).doesNotContain(TOKEN);
        }
    }
}
