package dev.pgbox.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {
    static Alert firing(String check, String severity) {
        return new Alert(Alert.FIRING, check, check, severity, null, null, "96 of 100 (96 %)", "warn 80 %, critical 90 %",
                "clients are refused at max_connections", "pool the clients", "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z");
    }

    static Alert resolved(String check) {
        return new Alert(Alert.RESOLVED, check + "/app", check, "warn", "app", null, "40 %", "warn 20 %", null, null,
                "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z");
    }

    final Message m = new Message("pgbox on db1 (/srv/shop)", List.of(firing("connections", "critical"), resolved("dead_tuples")));

    @Test
    void textHasATitleAndOneLinePerAlertWithItsFix() {
        assertThat(m.title()).isEqualTo("pgbox on db1 (/srv/shop): 1 firing, 1 resolved");
        assertThat(m.text().lines().toList()).containsExactly(
                "pgbox on db1 (/srv/shop): 1 firing, 1 resolved",
                "[CRITICAL] connections: 96 of 100 (96 %) (warn 80 %, critical 90 %)",
                "    fix: pool the clients",
                "[RESOLVED] dead_tuples in app: ok again (was warn: 40 %)");
    }

    @Test
    void textFromTheDatabaseMentionsNobody() throws Exception {
        // a long transaction's finding quotes its query, which any app can shape: no @everyone, no <!channel>
        Alert a = new Alert(Alert.FIRING, "long_transaction/app/pid 7", "long_transaction", "warn", "app", "pid 7",
                "transaction open 6 min: SELECT '<!channel> @everyone & co'", "warn 5 min", "holds locks", "pg_cancel_backend(7)",
                "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z");
        Message bad = new Message("pgbox on db1", List.of(a));
        ObjectMapper json = new ObjectMapper();
        String slack = json.readTree(WebhookNotifier.of("https://hooks.slack.com/services/T0/B0/x", "auto").body(bad)).get("text").asText();
        assertThat(slack).contains("SELECT '&lt;!channel&gt; @everyone &amp; co'").doesNotContain("<!channel>");
        JsonNode discord = json.readTree(WebhookNotifier.of("https://discord.com/api/webhooks/1/x", "auto").body(bad));
        assertThat(discord.get("allowed_mentions").get("parse")).isEmpty();
        assertThat(json.readTree(WebhookNotifier.of("https://alerts.example.com/hook", "auto").body(bad)).get("allowed_mentions")
                .get("parse")).isEmpty();
    }

    @Test
    void slackGetsTextDiscordGetsContentAndOthersGetEveryFieldWithTheAlerts() throws Exception {
        WebhookNotifier slack = WebhookNotifier.of("https://hooks.slack.com/services/T0/B0/secret", "auto");
        WebhookNotifier discord = WebhookNotifier.of("https://discord.com/api/webhooks/1/secret", "auto");
        WebhookNotifier other = WebhookNotifier.of("https://alerts.example.com/hook?token=secret", "auto");
        assertThat(List.of(slack.format(), discord.format(), other.format())).containsExactly("slack", "discord", "json");
        ObjectMapper json = new ObjectMapper();
        JsonNode s = json.readTree(slack.body(m));
        assertThat(s.fieldNames()).toIterable().containsExactly("text");
        assertThat(s.get("text").asText()).isEqualTo(m.text());
        JsonNode d = json.readTree(discord.body(m));
        assertThat(d.fieldNames()).toIterable().containsExactlyInAnyOrder("content", "allowed_mentions");
        assertThat(d.get("content").asText()).isEqualTo(m.text());
        JsonNode o = json.readTree(other.body(m));
        assertThat(o.get("text").asText()).isEqualTo(m.text());
        assertThat(o.get("content").asText()).isEqualTo(m.text());
        assertThat(o.get("alerts")).hasSize(2);
        assertThat(o.get("alerts").get(0).get("kind").asText()).isEqualTo("firing");
        assertThat(o.get("alerts").get(0).get("check").asText()).isEqualTo("connections");
        assertThat(o.get("alerts").get(0).get("severity").asText()).isEqualTo("critical");
        assertThat(o.get("alerts").get(1).get("key").asText()).isEqualTo("dead_tuples/app");
        assertThat(o.get("alerts").get(1).has("fix")).isFalse(); // nulls left out
        // an explicit format wins over the host
        assertThat(WebhookNotifier.of("https://alerts.example.com/hook", "slack").format()).isEqualTo("slack");
    }

    @Test
    void discordContentStaysWithinItsLimit() throws Exception {
        List<Alert> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(firing("check_" + i, "warn"));
        }
        Message big = new Message("pgbox on db1 (/srv/shop)", many);
        JsonNode d = new ObjectMapper().readTree(WebhookNotifier.of("https://discord.com/api/webhooks/1/x", "auto").body(big));
        assertThat(d.get("content").asText()).hasSizeLessThanOrEqualTo(Message.DISCORD_LIMIT).endsWith("(more in the alerts log)");
        assertThat(big.text().length()).isGreaterThan(Message.DISCORD_LIMIT);
    }

    @Test
    void aWebhookUrlIsCheckedWithoutEverQuotingIt() {
        for (String bad : List.of("http://alerts.example.com/hook/secret123", "ftp://x/secret123", "not a url secret123")) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> WebhookNotifier.of(bad, "auto")))
                    .isInstanceOf(dev.pgbox.PgboxException.class).hasMessageNotContaining("secret123");
        }
        WebhookNotifier local = WebhookNotifier.of("http://127.0.0.1:8080/hook/secret123", "auto");
        assertThat(local.target()).isEqualTo("127.0.0.1 (json)").doesNotContain("secret123");
    }
}
