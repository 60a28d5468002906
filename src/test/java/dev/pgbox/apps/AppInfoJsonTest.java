package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 'pgbox app list --json' renders the model through Json: the field names scripts already read stay as they were. */
class AppInfoJsonTest {
    @Test
    void appListJsonKeepsItsFieldNames() {
        JsonNode list = Json.tree(List.of(new Apps.AppInfo("shop", 8_000_000L, 2, 20, "30s", "1min",
                List.of("shop", "shop_owner", "shop_readonly"))));
        JsonNode shop = list.get(0);
        assertThat(shop.properties().stream().map(java.util.Map.Entry::getKey).toList()).containsExactly("name", "size_bytes",
                "connections", "connection_limit", "statement_timeout", "idle_in_transaction_session_timeout", "roles");
        assertThat(shop.path("size_bytes").asLong()).isEqualTo(8_000_000L);
        assertThat(shop.path("idle_in_transaction_session_timeout").asText()).isEqualTo("1min");
        assertThat(shop.path("roles").get(1).asText()).isEqualTo("shop_owner");
    }
}
